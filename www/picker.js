// The model picker: the bundled model, a folder or files from this device, a URL, and the models
// kept in this browser (with a way to delete each).

import { deleteSaved, listSaved } from './models.js';

export function setupPicker({ dialog, opener, onLoad, bundled, bundledSource }) {
  const saved = dialog.querySelector('#saved');
  const folder = dialog.querySelector('#pick-folder');
  const files = dialog.querySelector('#pick-files');
  const urlForm = dialog.querySelector('#url-form');
  const url = dialog.querySelector('#model-url');

  const choose = (source, label) => {
    dialog.close();
    onLoad(source, label);
  };

  opener.addEventListener('click', async () => {
    dialog.querySelector('#bundled-name').textContent = bundled() ?? '';
    dialog.showModal();
    await refresh();
  });
  dialog.querySelector('#pick-bundled').addEventListener('click', () => {
    choose(bundledSource, 'the bundled model');
  });
  for (const input of [folder, files]) {
    input.addEventListener('change', () => {
      const picked = [...input.files];
      input.value = '';
      if (picked.length) choose({ kind: 'files', files: picked }, 'the picked files');
    });
  }
  urlForm.addEventListener('submit', (e) => {
    e.preventDefault();
    choose({ kind: 'url', base: url.value }, url.value);
  });

  async function refresh() {
    saved.textContent = '';
    let models = [];
    try {
      models = await listSaved();
    } catch (e) {
      models = [];
      console.warn(`saved models: ${e.message}`);
    }
    if (!models.length) {
      const empty = document.createElement('li');
      empty.className = 'saved-empty';
      empty.textContent = 'None yet.';
      saved.append(empty);
      return;
    }
    for (const model of models) {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'saved-name';
      name.textContent = model.label;
      name.title = model.base;
      const size = document.createElement('span');
      size.className = 'saved-size';
      size.textContent = megabytes(model.bytes);
      const load = document.createElement('button');
      load.type = 'button';
      load.textContent = 'Load';
      load.addEventListener('click', () => choose({ kind: 'url', base: model.base }, model.label));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'danger';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete ${model.label} from this browser`);
      remove.addEventListener('click', async () => {
        await deleteSaved(model.base);
        await refresh();
      });
      item.append(name, size, load, remove);
      saved.append(item);
    }
  }
}

export function megabytes(bytes) {
  if (!bytes) return '0 MB';
  const mb = bytes / 1e6;
  return mb >= 100 ? `${mb.toFixed(0)} MB` : `${mb.toFixed(mb >= 10 ? 1 : 2)} MB`;
}
