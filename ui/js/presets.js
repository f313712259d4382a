// Presets: named sets of field operations saved per folder (`list_presets`, `save_preset` from
// the bulk-edit dialog, `delete_preset`). The presets dialog lists them with what they do and
// applies one to the selection (the caller's `onApply`: the bulk-edit preview), picks one for
// new uploads, or deletes one. "Values for new uploads" sets the `uploadPreset` store of
// upload-target.js — {folderId, presetId, name, fields: the preset's `set` edits as [{id, value}]}
// — which every new-image upload target reads; a strip under the toolbar, below the upload
// buttons, shows the active one, and a folder change clears it.
import { h, $, replaceChildren } from './dom.js';
import { api } from './api.js';
import { state, folderStore } from './state.js';
import { showToast, showError } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { selectedCount } from './selection.js';
import { uploadPreset } from './upload-target.js';
import { presetUploadFields, presetUploadLeftOut, presetSummaryLines } from './bulk-model.js';

const cache = { folderId: null, list: null, pending: null };
let handlers = { onApply: () => {}, onNew: () => {} };

/** opts: {onApply(preset): apply to the selection, onNew(): open the dialog to make one}. */
export function initPresets(opts = {}) {
  handlers = { ...handlers, ...opts };
  folderStore.subscribe(folderChanged);
  uploadPreset.subscribe(renderUploadPreset);
  $('#upload-preset-clear').addEventListener('click', () => { uploadPreset.set(null); $('#add-files').focus(); });
  $('#upload-preset-change').addEventListener('click', openPresetsDialog);
  const dialog = $('#presets-dialog');
  $('#presets-close').addEventListener('click', () => dialog.close());
  $('#presets-done').addEventListener('click', () => dialog.close());
  $('#presets-new').addEventListener('click', () => { dialog.close(); handlers.onNew(); });
  renderUploadPreset(uploadPreset.get());
}

function folderChanged(folderId) {
  if (cache.folderId !== folderId) Object.assign(cache, { folderId: null, list: null, pending: null });
  const active = uploadPreset.get();
  if (active && active.folderId !== folderId) uploadPreset.set(null);
  if ($('#presets-dialog').open) $('#presets-dialog').close();
}

/** The open folder's presets (asked once per folder; `force` asks again). Throws ApiError. */
export async function loadPresets({ force = false } = {}) {
  const folderId = state.folderId;
  if (!folderId) return [];
  if (!force && cache.folderId === folderId && cache.list) return cache.list;
  if (!force && cache.folderId === folderId && cache.pending) return cache.pending;
  const pending = api.listPresets(folderId).then((list) => {
    if (cache.pending === pending) Object.assign(cache, { list: Array.isArray(list) ? list : [], pending: null });
    return Array.isArray(list) ? list : [];
  }, (err) => {
    if (cache.pending === pending) cache.pending = null;
    throw err;
  });
  Object.assign(cache, { folderId, pending });
  return pending;
}

/** A preset was saved (or replaced): reload the list, refresh the dialog and the upload preset. */
export async function presetsChanged() {
  try {
    const list = await loadPresets({ force: true });
    syncUploadPreset(list);
    if ($('#presets-dialog').open) renderList(list);
  } catch (err) {
    showError('Could not reload the presets.', err);
  }
}

/** The active upload preset follows its preset: replaced → new values, deleted → none. */
function syncUploadPreset(list) {
  const active = uploadPreset.get();
  if (!active || active.folderId !== state.folderId) return;
  // Saving under the same name replaces a preset; its id may change with it.
  const preset = list.find((p) => p.id === active.presetId) || list.find((p) => p.name === active.name);
  if (!preset) uploadPreset.set(null);
  else useForUploads(preset, { quiet: true });
}

/** New uploads to this folder get the preset's values (null: none). */
export function useForUploads(preset, { quiet = false } = {}) {
  if (!preset) { uploadPreset.set(null); return; }
  uploadPreset.set({ folderId: state.folderId, presetId: preset.id, name: preset.name, fields: presetUploadFields(preset) });
  if (quiet) return;
  const left = presetUploadLeftOut(preset);
  const rest = left ? ` Its ${left === 1 ? 'clear, add or remove operation applies' : `${left} clear, add or remove operations apply`} only to existing images.` : '';
  showToast(`New uploads to this folder get the values of “${preset.name}”.${rest}`);
}

/** The strip under the toolbar, near the upload buttons, while new uploads get a preset's values. */
function renderUploadPreset(active) {
  const on = !!active && active.folderId === state.folderId;
  $('#upload-preset-strip').hidden = !on;
  $('#upload-preset-text').textContent = on ? `New uploads to this folder get the values of the preset “${active.name}”.` : '';
  if (on) $('#upload-preset-clear').setAttribute('aria-label', `Stop giving new uploads the values of “${active.name}”`);
}

/** Menu items picking the preset whose values new uploads get (for a menu of bulk-menu.js). */
export async function uploadPresetItems() {
  if (!state.folderId) return [];
  const list = await loadPresets();
  const active = uploadPreset.get();
  const current = active?.folderId === state.folderId ? active.presetId : null;
  return [
    { note: 'Values for new uploads' },
    { label: 'None', checked: !current, onSelect: () => useForUploads(null) },
    ...list.map((p) => ({ label: p.name, checked: p.id === current, title: presetSummaryLines(p).join('\n'), onSelect: () => useForUploads(p) })),
    ...(list.length ? [] : [{ note: 'No presets for this folder yet.' }]),
    { label: 'Manage presets…', onSelect: openPresetsDialog },
  ];
}

/** The presets dialog for the open folder. */
export async function openPresetsDialog() {
  if (!state.folderId) return;
  const dialog = $('#presets-dialog');
  const folder = state.folders.find((f) => f.id === state.folderId);
  $('#presets-folder').textContent = `Saved for ${folder?.name || 'this folder'}.`;
  replaceChildren($('#presets-list'), h('li', { class: 'muted', text: 'Loading…' }));
  if (!dialog.open) dialog.showModal();
  $('#presets-done').focus();
  try {
    renderList(await loadPresets());
  } catch (err) {
    replaceChildren($('#presets-list'), h('li', { class: 'dialog-message error', text: `Could not load the presets: ${err?.message || err}` }));
  }
}

function renderList(list) {
  const box = $('#presets-list');
  if (!list.length) {
    replaceChildren(box, h('li', { class: 'muted', text: 'No presets for this folder yet. Make one with “New preset…”, or with “Save as preset…” in Edit fields.' }));
    return;
  }
  const count = selectedCount();
  const active = uploadPreset.get();
  replaceChildren(box, list.map((p) => {
    const using = active?.folderId === state.folderId && active.presetId === p.id;
    const lines = presetSummaryLines(p);
    return h('li', { class: 'preset-item', dataset: { presetId: p.id } },
      h('div', { class: 'preset-head' },
        h('span', { class: 'preset-name', text: p.name }),
        using ? h('span', { class: 'preset-badge', text: 'New uploads' }) : null),
      lines.length ? h('ul', { class: 'preset-summary muted' }, lines.map((l) => h('li', { text: l }))) : null,
      h('div', { class: 'preset-actions' },
        h('button', {
          type: 'button', class: 'button small', disabled: !count,
          text: count ? `Apply to ${count.toLocaleString()} selected…` : 'Apply to selection…',
          title: count ? null : 'Select images first',
          attrs: { 'aria-label': `Apply “${p.name}” to the selection` },
          on: { click: () => { $('#presets-dialog').close(); handlers.onApply(p); } },
        }),
        h('button', {
          type: 'button', class: 'button small', text: using ? 'Stop using for uploads' : 'Use for new uploads',
          attrs: { 'aria-label': using ? `Stop giving new uploads the values of “${p.name}”` : `Give new uploads the values of “${p.name}”` },
          on: { click: () => { useForUploads(using ? null : p); renderList(list); } },
        }),
        h('button', {
          type: 'button', class: 'button small danger-ghost', text: 'Delete…',
          attrs: { 'aria-label': `Delete the preset “${p.name}”` },
          on: { click: () => remove(p) },
        })));
  }));
}

async function remove(preset) {
  const folderId = state.folderId;
  const ok = await confirmDialog({
    title: 'Delete preset',
    message: `Delete the preset “${preset.name}”? Images keep their values.`,
    ok: 'Delete', danger: true,
  });
  if (!ok || state.folderId !== folderId) return;
  try {
    await api.deletePreset(folderId, preset.id);
    showToast(`Deleted the preset “${preset.name}”.`);
  } catch (err) {
    showError(`Could not delete the preset “${preset.name}”.`, err);
  }
  await presetsChanged();
  $('#presets-list .preset-actions button')?.focus();
}
