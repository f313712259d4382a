// Hot folders in the sidebar: local folders watched and uploaded into BeProduct folders, with
// each folder's naming rules. "Watch a local folder…" (the folder "⋯" menu) asks for the folder
// in the native dialog (`add_hot_folder`); each entry shows its state and counts as the backend
// reports them (`hotfolders://changed`) and can stop being watched.
import { h, $, replaceChildren } from './dom.js';
import { api, listen } from './api.js';
import { state } from './state.js';
import { showToast, showError } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { stateText, stateTone, applyChange } from './hot-folders-model.js';

let list = [];

export async function initHotFolders() {
  await listen('hotfolders://changed', (e) => { list = applyChange(list, e.payload); render(); });
  try {
    list = await api.listHotFolders();
  } catch (err) {
    showError('Could not read the hot folders.', err);
    list = [];
  }
  render();
}

/** The folder "⋯" menu's item. */
export function hotFolderItems() {
  if (!state.folderId) return [];
  return [
    { label: 'Watch a local folder…', onSelect: () => watchFolder(false) },
    { label: 'Watch a local folder, moving uploaded files to _uploaded…', onSelect: () => watchFolder(true) },
  ];
}

async function watchFolder(moveUploaded) {
  const folderId = state.folderId;
  if (!folderId) { showToast('Choose a folder first.'); return; }
  try {
    const added = await api.addHotFolder(folderId, moveUploaded);
    if (!added) return;
    list = applyChange(list, { type: 'changed', folder: added });
    render();
    showToast(`Watching ${added.name}: new images there upload to ${folderName(folderId)}.`);
  } catch (err) { showError('Could not watch that folder.', err); }
}

function folderName(folderId) {
  return state.folders.find((f) => f.id === folderId)?.name || 'a folder that is no longer listed';
}

async function stopWatching(folder) {
  const ok = await confirmDialog({
    title: `Stop watching ${folder.name}?`,
    message: 'Files already uploaded stay in BeProduct; files in the folder stay where they are.',
    ok: 'Stop watching',
  });
  if (!ok) return;
  try {
    await api.removeHotFolder(folder.id);
    list = applyChange(list, { type: 'removed', id: folder.id });
    render();
  } catch (err) { showError('Could not stop watching the folder.', err); }
}

function render() {
  const section = $('#hot-folders-section');
  section.hidden = list.length === 0;
  replaceChildren($('#hot-folders'), list.map((f) => h('li', { class: ['hot-folder', `tone-${stateTone(f)}`], dataset: { hotFolderId: f.id } },
    h('div', { class: 'hot-folder-head' },
      h('span', { class: 'hot-folder-name', title: f.location }, f.name),
      h('button', {
        type: 'button', class: 'icon-button hot-folder-remove',
        attrs: { 'aria-label': `Stop watching ${f.name}` },
        on: { click: () => stopWatching(f) },
      }, '×')),
    h('div', { class: 'hot-folder-target muted' }, `→ ${folderName(f.folderId)}`),
    h('div', { class: 'hot-folder-state' }, stateText(f)))));
}
