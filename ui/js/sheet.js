// Spreadsheet round trip. Export (`export_sheet`): the selection, or without one the search or
// the whole folder, to CSV or Excel through the native save dialog. Import (`import_sheet`):
// a sheet picked in the native open dialog, or dropped on the window (dropzone.js hands a
// single dropped .csv/.xlsx to `importSheet`), shown first as a diff (#sheet-dialog): the rows
// and cells that change, before → after, cells not valid for the folder flagged with their
// problem (then nothing can be applied: the sheet must be fixed and imported again), numbers
// not in the folder listed. Apply runs it as a bulk edit (`run_bulk`, the bulk panel).
import { h, $, replaceChildren } from './dom.js';
import { api, describeError } from './api.js';
import { state, folderStore } from './state.js';
import { showToast, showError, hideToast } from './toast.js';
import { selectionArg, selectedCount } from './selection.js';
import { setSheetDropHandler } from './dropzone.js';
import { startRun } from './bulk-progress.js';
import { sampleList } from './bulk-lists.js';
import { exportArgs, exportScopeText, exportedText, importModel, capped } from './bulk-model.js';

let model = null;      // importModel of the sheet shown
let importing = false;
let applying = false;
let ticket = 0;

export function initSheet() {
  folderStore.subscribe(() => { if ($('#sheet-dialog').open) $('#sheet-dialog').close(); });
  $('#sheet-close').addEventListener('click', () => $('#sheet-dialog').close());
  $('#sheet-cancel').addEventListener('click', () => $('#sheet-dialog').close());
  $('#sheet-apply').addEventListener('click', apply);
  $('#sheet-again').addEventListener('click', () => { $('#sheet-dialog').close(); importSheet(null); });
  $('#sheet-dialog').addEventListener('close', () => { ticket += 1; model = null; applying = false; });
  setSheetDropHandler((handle) => importSheet(handle));
}

/** The folder's spreadsheet items (the toolbar's "⋯" menu): export the search / folder, import. */
export function folderSheetItems() {
  if (!state.folderId) return [{ note: 'Choose a folder first.' }];
  const scope = exportScopeText({ query: state.query });
  return [
    { label: `Export ${scope} to CSV…`, onSelect: () => exportSheet('csv', { useSelection: false }) },
    { label: `Export ${scope} to Excel…`, onSelect: () => exportSheet('xlsx', { useSelection: false }) },
    { separator: true },
    { label: 'Import spreadsheet…', onSelect: () => importSheet(null) },
  ];
}

/** The selection bar's "Export" menu items. */
export function selectionExportItems() {
  const scope = exportScopeText({ selectionCount: selectedCount() });
  return [
    { label: `Export ${scope} to CSV…`, onSelect: () => exportSheet('csv', { useSelection: true }) },
    { label: `Export ${scope} to Excel…`, onSelect: () => exportSheet('xlsx', { useSelection: true }) },
  ];
}

/** Exports to `format` ('csv' | 'xlsx'); the backend asks where to save it. */
export async function exportSheet(format, { useSelection = false } = {}) {
  const folderId = state.folderId;
  if (!folderId) { showToast('Choose a folder first.'); return; }
  const selection = useSelection ? selectionArg() : null;
  try {
    const res = await api.exportSheet(exportArgs({ folderId, selection, query: state.query, format }));
    if (res) showToast(exportedText(res));
  } catch (err) {
    showError('Could not export the spreadsheet.', err);
  }
}

/** Imports a sheet into the open folder: `handle` from a drop, or null for the open dialog. */
export async function importSheet(handle = null) {
  const folderId = state.folderId;
  if (!folderId) { showToast('Choose a folder first, then import the spreadsheet into it.'); return; }
  if (importing) return;
  importing = true;
  if (handle) showToast('Reading the spreadsheet…', { timeout: 0 });
  try {
    const preview = await api.importSheet(folderId, handle);
    if (handle) hideToast();
    if (!preview || state.folderId !== folderId) return;  // cancelled, or another folder now
    show(importModel(preview));
  } catch (err) {
    showError('Could not read the spreadsheet.', err);
  } finally {
    importing = false;
  }
}

function show(m) {
  ticket += 1;
  model = m;
  const dialog = $('#sheet-dialog');
  $('#sheet-title').textContent = m.title;
  $('#sheet-summary').textContent = m.summary;
  const blocked = $('#sheet-blocked');
  blocked.hidden = !m.blocked;
  blocked.textContent = m.blockedText;
  blocked.className = `dialog-message ${m.problems ? 'error' : 'info'}`;
  $('#sheet-message').hidden = true;
  const body = $('#sheet-body');
  replaceChildren(body,
    m.ignoredText ? h('p', { class: 'muted small', text: m.ignoredText }) : null,
    m.rows.length ? h('section', { attrs: { 'aria-label': 'Changes' } },
      m.rowsNote ? h('p', { class: 'muted small', text: m.rowsNote }) : null,
      sampleList(m.rows.map((r) => ({ heading: r.heading, changes: r.cells })))) : null,
    m.unknown.length ? h('details', { class: 'bulk-outcomes', open: m.unknown.length <= 10 },
      h('summary', { text: `Numbers not in this folder (${m.unknown.length.toLocaleString()})` }),
      h('p', { class: 'muted small', text: m.unknownText }),
      h('ul', { class: 'bulk-reasons' },
        capped(m.unknown).shown.map((u) => h('li', { text: u.text })),
        capped(m.unknown).more ? h('li', { class: 'muted', text: `…and ${capped(m.unknown).more.toLocaleString()} more` }) : null)) : null);
  const applyBtn = $('#sheet-apply');
  applyBtn.disabled = m.blocked;
  applyBtn.textContent = m.changedRows ? `Apply to ${m.changedRows.toLocaleString()} ${m.changedRows === 1 ? 'image' : 'images'}` : 'Apply';
  $('#sheet-again').hidden = !m.problems;
  if (!dialog.open) dialog.showModal();
  (m.blocked ? $('#sheet-cancel') : applyBtn).focus();
}

async function apply() {
  if (!model?.planId || applying) return;
  const mine = ticket;
  applying = true;
  $('#sheet-apply').disabled = true;
  $('#sheet-dialog').classList.add('is-busy');
  try {
    await startRun(() => api.runBulk(model.planId), 'import');
    if (mine !== ticket) return;
    $('#sheet-dialog').close();
  } catch (err) {
    if (mine !== ticket) return;
    const d = describeError(err);
    const msg = $('#sheet-message');
    msg.textContent = [d.title, d.message].filter(Boolean).join(' — ');
    msg.hidden = false;
    $('#sheet-apply').disabled = false;
  } finally {
    applying = false;
    $('#sheet-dialog').classList.remove('is-busy');
  }
}
