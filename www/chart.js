// The entropy of each token's distribution as a bar chart (SVG), growing as tokens arrive.
// Forks — tokens whose entropy is above FORK_NATS — are marked; clicking a bar picks its token.

import { FORK_NATS, visible } from './tokens.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 100; // viewBox units; the width is one unit per token
const MIN_WIDTH = 64; // a short reply does not get absurdly wide bars

export class EntropyChart {
  constructor(frame, { onPick }) {
    this.frame = frame;
    this.bars = [];
    this.entropies = [];
    this.max = 2 * FORK_NATS; // the top of the scale, in nats; grows with the data
    this.forks = 0;

    this.scale = document.createElement('span');
    this.scale.className = 'chart-scale';
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.svg.setAttribute('role', 'img');
    this.group = document.createElementNS(SVG, 'g');
    this.threshold = document.createElementNS(SVG, 'line');
    this.threshold.setAttribute('class', 'fork-line');
    this.threshold.setAttribute('vector-effect', 'non-scaling-stroke');
    this.threshold.setAttribute('x1', '0');
    this.svg.append(this.group, this.threshold);
    frame.append(this.scale, this.svg);
    this.svg.addEventListener('click', (e) => {
      const bar = e.target.closest('rect');
      if (bar) onPick(Number(bar.dataset.index));
    });
    this.resize();
  }

  add(ev, { isTag }) {
    const bar = document.createElementNS(SVG, 'rect');
    const i = this.bars.length;
    bar.dataset.index = String(ev.index);
    bar.setAttribute('x', String(i + 0.1));
    bar.setAttribute('width', '0.8');
    const classes = ['bar', ev.phase];
    if (isTag) classes.push('tag');
    if (ev.forced) classes.push('forced');
    if (ev.entropy > FORK_NATS) {
      classes.push('fork');
      this.forks++;
    }
    bar.setAttribute('class', classes.join(' '));
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `Token ${ev.index + 1} ${visible(ev.text)}: ${ev.entropy.toFixed(2)} nats`;
    bar.append(title);
    this.group.append(bar);
    this.bars.push(bar);
    this.entropies.push(ev.entropy);
    if (ev.entropy > this.max) {
      this.max = Math.ceil(ev.entropy);
      this.bars.forEach((b, j) => this.setHeight(b, this.entropies[j]));
    } else {
      this.setHeight(bar, ev.entropy);
    }
    this.resize();
  }

  setHeight(bar, entropy) {
    const h = Math.max(0.5, (entropy / this.max) * HEIGHT);
    bar.setAttribute('y', String(HEIGHT - h));
    bar.setAttribute('height', String(h));
  }

  resize() {
    const width = Math.max(MIN_WIDTH, this.bars.length);
    this.svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const y = HEIGHT - (FORK_NATS / this.max) * HEIGHT;
    this.threshold.setAttribute('x2', String(width));
    this.threshold.setAttribute('y1', String(y));
    this.threshold.setAttribute('y2', String(y));
    this.scale.textContent = `${this.max} nats`;
    this.svg.setAttribute('aria-label', `Entropy per token: ${this.bars.length} tokens, ${this.forks} forks above ${FORK_NATS} nat`);
    this.frame.dataset.forks = String(this.forks);
    this.frame.dataset.bars = String(this.bars.length);
  }

  highlight(index) {
    for (const bar of this.group.querySelectorAll('.is-current')) bar.classList.remove('is-current');
    this.bars.find((b) => b.dataset.index === String(index))?.classList.add('is-current');
  }
}
