// Token chips and the alternatives popup. Every chip is coloured by the token's probability on a
// log scale (100% → calm, ≤0.1% → warm); hovering, focusing or tapping one shows the top
// alternatives, and picking one asks for a branch. All model text goes in through textContent.

// Entropy (nats) above which a token counts as a fork: another continuation was likely.
export const FORK_NATS = 1.0;

// How unsure a probability looks, 0 (certain) … 1 (≤ 0.1%): −log10(p) / 3.
export function uncertainty(prob) {
  if (!(prob > 0)) return 1;
  return Math.min(1, Math.max(0, -Math.log10(prob) / 3));
}

export function percent(prob) {
  if (!(prob > 0)) return '0%';
  if (prob >= 0.995) return '100%';
  if (prob >= 0.1) return `${(prob * 100).toFixed(0)}%`;
  if (prob >= 0.001) return `${(prob * 100).toFixed(1)}%`;
  return '<0.1%';
}

// Whitespace made visible, for a token shown on its own (`␣8` is not `8`).
export function visible(text) {
  if (text === '') return '∅';
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥');
}

// A chip for one token event, followed by a line break per newline in it, so the text reads as
// text (`breaks: false` for the newlines a lane starts with: no empty lines at its top).
// `isTag` marks `<think>` / `</think>`.
export function tokenChip(ev, { isTag = false, breaks = true } = {}) {
  const chip = document.createElement('span');
  chip.className = 'tok';
  chip.dataset.testid = 'token';
  chip.dataset.index = String(ev.index);
  chip.dataset.id = String(ev.id);
  chip.tabIndex = -1;
  chip.setAttribute('role', 'button');
  chip.setAttribute('aria-haspopup', 'dialog');
  chip.style.setProperty('--u', uncertainty(ev.prob).toFixed(3));
  if (isTag) chip.classList.add('tag');
  if (ev.forced) chip.classList.add('forced');
  if (ev.entropy > FORK_NATS) chip.classList.add('fork');
  const lines = ev.text.split('\n');
  if (ev.text === '') {
    chip.classList.add('partial');
    chip.title = 'part of a character completed by the next token';
  } else {
    chip.textContent = lines.join('↵');
  }
  const fragment = document.createDocumentFragment();
  fragment.append(chip);
  if (breaks) for (let i = 1; i < lines.length; i++) fragment.append(document.createElement('br'));
  return { chip, fragment };
}

// The one alternatives popup of the page. `lookup(chip)` gives `{ev, canBranch}` for a chip;
// `onBranch(chip, alternative)` is called when a person picks another token.
export class Alternatives {
  constructor(popup, { lookup, onBranch }) {
    this.popup = popup;
    this.head = popup.querySelector('.alt-head');
    this.list = popup.querySelector('.alt-list');
    this.hint = popup.querySelector('.alt-hint');
    this.lookup = lookup;
    this.onBranch = onBranch;
    this.chip = null;
    this.pinned = false;
    this.hideTimer = 0;
    this.showTimer = 0;
    this.quiet = null; // a chip getting focus back, whose popup must stay closed

    popup.addEventListener('mouseenter', () => clearTimeout(this.hideTimer));
    popup.addEventListener('mouseleave', () => this.scheduleHide());
    popup.addEventListener('click', (e) => {
      const button = e.target.closest('button[data-alt]');
      if (button && !button.disabled) {
        const chip = this.chip;
        const alt = this.alternatives[Number(button.dataset.alt)];
        this.hide();
        this.onBranch(chip, alt);
      }
    });
    popup.addEventListener('keydown', (e) => this.popupKey(e));
    popup.addEventListener('focusout', (e) => {
      if (!popup.contains(e.relatedTarget) && e.relatedTarget !== this.chip) this.hide();
    });
    document.addEventListener('pointerdown', (e) => {
      if (this.chip && !popup.contains(e.target) && !e.target.closest?.('.tok')) this.hide();
    });
    window.addEventListener('resize', () => this.chip && this.place(this.chip));
  }

  // Wires a container of chips: hover, focus, tap, and arrow keys between chips.
  attach(container) {
    container.addEventListener('mouseover', (e) => {
      const chip = e.target.closest('.tok');
      if (!chip || this.pinned) return;
      clearTimeout(this.hideTimer);
      clearTimeout(this.showTimer);
      this.showTimer = setTimeout(() => this.show(chip), 90);
    });
    container.addEventListener('mouseout', (e) => {
      if (e.target.closest('.tok')) {
        clearTimeout(this.showTimer);
        if (!this.pinned) this.scheduleHide();
      }
    });
    container.addEventListener('click', (e) => {
      const chip = e.target.closest('.tok');
      if (!chip) return;
      if (this.chip === chip && this.pinned) return this.hide();
      focusChip(chip);
      this.show(chip);
      this.pinned = true;
    });
    container.addEventListener('focusin', (e) => {
      const chip = e.target.closest('.tok');
      if (chip === this.quiet) this.quiet = null; // focus given back by Escape: stay closed
      else if (chip) this.show(chip);
    });
    container.addEventListener('focusout', (e) => {
      if (e.target.closest('.tok') && !this.popup.contains(e.relatedTarget)) this.scheduleHide(0);
    });
    container.addEventListener('keydown', (e) => this.chipKey(e, container));
  }

  show(chip) {
    const found = this.lookup(chip);
    if (!found) return;
    clearTimeout(this.hideTimer);
    const { ev, canBranch } = found;
    if (this.chip && this.chip !== chip) this.chip.classList.remove('is-open');
    this.chip = chip;
    this.pinned = false;
    chip.classList.add('is-open');
    this.head.textContent = '';
    const title = document.createElement('strong');
    title.textContent = visible(ev.text);
    this.head.append(
      `Token ${ev.index + 1}: `, title,
      ` · ${percent(ev.prob)} · entropy ${ev.entropy.toFixed(2)} nats${ev.forced ? ' · forced' : ''}`,
    );
    // The top alternatives, plus the chosen token when it was sampled from further down.
    this.alternatives = ev.top.slice();
    if (!this.alternatives.some((a) => a.id === ev.id)) {
      this.alternatives.push({ id: ev.id, text: ev.text, prob: ev.prob });
    }
    this.list.textContent = '';
    this.alternatives.forEach((alt, i) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.alt = String(i);
      button.dataset.id = String(alt.id);
      button.style.setProperty('--p', alt.prob.toFixed(4));
      button.style.setProperty('--u', uncertainty(alt.prob).toFixed(3));
      const text = document.createElement('span');
      text.className = 'alt-text';
      text.textContent = visible(alt.text);
      const bar = document.createElement('span');
      bar.className = 'alt-bar';
      bar.setAttribute('aria-hidden', 'true');
      const pct = document.createElement('span');
      pct.className = 'alt-pct';
      pct.textContent = percent(alt.prob);
      button.append(text, bar, pct);
      if (alt.id === ev.id) {
        button.disabled = true;
        button.classList.add('chosen');
        button.setAttribute('aria-label', `${visible(alt.text)}, ${percent(alt.prob)}, the token taken`);
      } else {
        button.disabled = !canBranch;
        button.setAttribute('aria-label', `${visible(alt.text)}, ${percent(alt.prob)}: branch from here with this token`);
      }
      item.append(button);
      this.list.append(item);
    });
    this.hint.textContent = canBranch
      ? 'Pick another token to branch the reply from here.'
      : 'Branching is possible once the reply is done.';
    this.popup.hidden = false;
    this.place(chip);
  }

  hide() {
    clearTimeout(this.hideTimer);
    clearTimeout(this.showTimer);
    this.chip?.classList.remove('is-open');
    this.chip = null;
    this.pinned = false;
    this.popup.hidden = true;
  }

  scheduleHide(delay = 220) {
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => {
      if (!this.popup.matches(':hover') && !this.popup.contains(document.activeElement)) this.hide();
    }, delay);
  }

  // Below the chip (above it when there is no room), inside the viewport. On a phone the
  // stylesheet makes the popup a sheet at the bottom instead.
  place(chip) {
    const rect = chip.getBoundingClientRect();
    const width = this.popup.offsetWidth;
    const height = this.popup.offsetHeight;
    const left = Math.min(Math.max(8, rect.left), window.innerWidth - width - 8);
    const below = rect.bottom + 6;
    const top = below + height > window.innerHeight - 8 && rect.top - height - 6 > 8 ? rect.top - height - 6 : below;
    this.popup.style.setProperty('--x', `${left + window.scrollX}px`);
    this.popup.style.setProperty('--y', `${top + window.scrollY}px`);
  }

  chipKey(e, container) {
    const chip = e.target.closest('.tok');
    if (!chip) return;
    const chips = [...container.closest('.run-view').querySelectorAll('.tok')];
    const at = chips.indexOf(chip);
    const go = (i) => {
      e.preventDefault();
      const next = chips[Math.max(0, Math.min(chips.length - 1, i))];
      if (next) focusChip(next);
    };
    switch (e.key) {
      case 'ArrowRight': return go(at + 1);
      case 'ArrowLeft': return go(at - 1);
      case 'Home': return go(0);
      case 'End': return go(chips.length - 1);
      case 'Enter':
      case ' ':
      case 'ArrowDown': {
        e.preventDefault();
        if (this.chip !== chip) this.show(chip);
        this.pinned = true;
        this.list.querySelector('button:not(:disabled)')?.focus() ?? this.list.querySelector('button')?.focus();
        return;
      }
      case 'Escape':
        return this.hide();
    }
  }

  popupKey(e) {
    const buttons = [...this.list.querySelectorAll('button')];
    const at = buttons.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      buttons[(at + step + buttons.length) % buttons.length]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      const chip = this.chip;
      this.hide();
      this.quiet = chip;
      chip?.focus();
    }
  }
}

// Roving focus: the focused chip is the one in its view that Tab reaches.
export function focusChip(chip) {
  const view = chip.closest('.run-view');
  for (const other of view.querySelectorAll('.tok[tabindex="0"]')) other.tabIndex = -1;
  chip.tabIndex = 0;
  chip.focus();
}
