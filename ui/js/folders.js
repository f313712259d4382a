// Folders sidebar: one button per folder (`.folder[data-folder-id]`, `.active` when chosen).
import { h, $, replaceChildren } from './dom.js';
import { api, describeError } from './api.js';
import { state, folderStore } from './state.js';

let onChoose = () => {};

export function initFolders(chooseHandler) {
  onChoose = chooseHandler;
  // The list shows which folder is chosen: it follows the folder store.
  folderStore.subscribe(renderFolders);
  $('#folders').addEventListener('click', (e) => {
    const btn = e.target.closest('.folder');
    if (btn) onChoose(btn.dataset.folderId);
  });
  $('#folders').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const list = [...document.querySelectorAll('#folders .folder')];
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const next = list[Math.min(list.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    for (const b of list) b.tabIndex = b === next ? 0 : -1;  // one tab stop, moved by the arrows
    next.focus();
  });
}

/** Loads the folder list; returns the folders (empty on failure, with the error shown inline). */
export async function loadFolders() {
  const box = $('#folders');
  replaceChildren(box, [1, 2, 3, 4].map(() => h('div', { class: 'folder skeleton-line', attrs: { 'aria-hidden': 'true' } })));
  try {
    const folders = await api.listFolders();
    state.folders = (Array.isArray(folders) ? folders : []).filter((f) => f && f.id);
    renderFolders();
  } catch (err) {
    state.folders = [];
    const d = describeError(err);
    replaceChildren(box, h('div', { class: 'sidebar-error', attrs: { role: 'alert' } },
      h('p', { text: d.title }), d.message ? h('p', { class: 'muted', text: d.message }) : null,
      h('button', { type: 'button', class: 'button small', text: 'Try again', on: { click: () => loadFolders().then(() => onChoose(state.folderId || state.folders[0]?.id)) } })));
  }
  return state.folders;
}

function renderFolders() {
  const box = $('#folders');
  if (!state.folders.length) {
    replaceChildren(box, h('p', { class: 'muted sidebar-note', text: 'No image folders.' }));
    return;
  }
  const sorted = [...state.folders].sort((a, b) => (b.active !== false) - (a.active !== false) || String(a.name).localeCompare(String(b.name)));
  // Choosing a folder redraws the list: the keyboard focus stays on the folder it was on.
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.folderId : null;
  // One tab stop for the whole list (the chosen folder, else the first); arrows move in it.
  const tabStop = sorted.some((f) => f.id === state.folderId) ? state.folderId : sorted[0].id;
  replaceChildren(box, sorted.map((f) => h('button', {
    type: 'button',
    tabIndex: f.id === tabStop ? 0 : -1,
    class: ['folder', f.id === state.folderId ? 'active' : '', f.active === false ? 'inactive' : ''],
    dataset: { folderId: f.id },
    title: f.description || f.name || '',
    attrs: { 'aria-current': f.id === state.folderId ? 'true' : null },
  }, h('span', { class: 'folder-icon', attrs: { 'aria-hidden': 'true' } }), h('span', { class: 'folder-name', text: f.name || 'Untitled folder' }),
  f.active === false ? h('span', { class: 'folder-tag', text: 'inactive' }) : null)));
  if (focused) [...box.children].find((b) => b.dataset.folderId === focused)?.focus();
}

