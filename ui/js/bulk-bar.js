// The selection bar (#bulk-bar, under the toolbar): shown while images are selected, it says
// how many ("37 selected", "All 1,204 matching") and offers the actions on them — Edit fields…,
// Apply preset ▸, Export ▸, Delete… — and Clear. Also the toolbar's "⋯" menu: the folder's
// (or the search's) spreadsheet export, "Import spreadsheet…" and the new-upload preset. Bulk delete asks first, naming the count,
// then `delete_images`; what could not be deleted is listed in the bulk panel, the selection
// is cleared and the grid soft-reloaded.
import { $ } from './dom.js';
import { api } from './api.js';
import { state, folderStore } from './state.js';
import { showError } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { reloadGrid, focusGrid } from './grid.js';
import { showNothing } from './detail.js';
import { selection, selectedCount, selectionArg, clearSelection, isSelected } from './selection.js';
import { openBulkEdit } from './bulk-edit.js';
import { loadPresets, openPresetsDialog, uploadPresetItems } from './presets.js';
import { selectionExportItems, folderSheetItems } from './sheet.js';
import { intakeItems } from './intake-rules.js';
import { hotFolderItems } from './hot-folders.js';
import { showDeleteResult, lastEditItems } from './bulk-progress.js';
import { attachMenu } from './bulk-menu.js';
import { selectionLabel, deleteConfirmText, presetSummaryLines } from './bulk-model.js';

let deleting = false;

export function initBulkBar() {
  selection.subscribe(render);
  $('#bulk-edit-button').addEventListener('click', () => openBulkEdit());
  $('#bulk-delete-button').addEventListener('click', deleteSelected);
  $('#bulk-clear-button').addEventListener('click', () => { clearSelection(); });
  attachMenu($('#bulk-preset-button'), presetItems);
  attachMenu($('#bulk-export-button'), selectionExportItems);
  // The toolbar's "⋯": the folder's spreadsheet export / import and the new-upload preset.
  attachMenu($('#folder-menu-button'), folderItems, { align: 'right' });
  folderStore.subscribe((id) => { $('#folder-menu-button').disabled = !id; });
  // Escape anywhere in the bar clears the selection (the grid does the same when it has focus);
  // Left / Right move between the bar's buttons, as in any toolbar.
  $('#bulk-bar').addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.target.closest('.bulk-menu')) return;
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); clearSelection(); return; }
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const buttons = [...$('#bulk-bar').querySelectorAll('button:not(.menu-item)')].filter((b) => !b.disabled);
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    buttons[(i + (e.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length].focus();
  });
  render(selection.get());
}

function render(sel) {
  const bar = $('#bulk-bar');
  const count = sel && sel.mode !== 'none' ? selectedCount(sel) : 0;
  const show = count > 0 || deleting;
  // The bar leaves while it has the focus: the grid takes it back.
  if (!show && bar.contains(document.activeElement)) focusGrid();
  bar.hidden = !show;
  if (!show) return;
  $('#bulk-count').textContent = deleting ? `Deleting ${count.toLocaleString()}…` : selectionLabel(sel, count);
  for (const id of ['#bulk-edit-button', '#bulk-preset-button', '#bulk-export-button', '#bulk-delete-button']) $(id).disabled = deleting || count === 0;
}

async function presetItems() {
  const list = await loadPresets();
  return [
    ...list.map((p) => ({
      label: p.name,
      title: presetSummaryLines(p).join('\n'),
      onSelect: () => openBulkEdit({ edits: p.edits, preview: true, presetName: p.name }),
    })),
    ...(list.length ? [] : [{ note: 'No presets for this folder yet.' }]),
    { separator: true },
    { label: 'Manage presets…', onSelect: openPresetsDialog },
  ];
}

async function folderItems() {
  const [uploads, last] = await Promise.all([
    uploadPresetItems().catch((err) => [{ note: `Presets could not be loaded: ${err?.message || err}` }]),
    lastEditItems(),
  ]);
  return [
    ...folderSheetItems(),
    ...(state.folderId ? [{ separator: true }, ...intakeItems(), ...hotFolderItems()] : []),
    ...(uploads.length ? [{ separator: true }, ...uploads] : []),
    ...(last.length ? [{ separator: true }, ...last] : []),
  ];
}

/** Deletes the selection after a confirmation naming the count. */
export async function deleteSelected() {
  const folderId = state.folderId;
  const sel = selection.get();
  const arg = selectionArg(sel);
  const count = selectedCount(sel);
  if (!folderId || !arg || !count || deleting) return;
  const text = deleteConfirmText(count);
  const ok = await confirmDialog({ ...text, danger: true });
  if (!ok || state.folderId !== folderId) return;
  deleting = true;
  render(selection.get());
  const openId = state.openImage?.id;
  try {
    const res = await api.deleteImages(folderId, arg);
    const failed = new Set((res?.failed || []).map((f) => f?.image?.id));
    if (openId && state.openImage?.id === openId && isSelected(openId, sel) && !failed.has(openId)) showNothing();
    showDeleteResult(res);
    deleting = false;
    clearSelection();
    reloadGrid({ soft: true });
  } catch (err) {
    showError(`Could not delete the ${count === 1 ? 'image' : 'images'}.`, err);
    reloadGrid({ soft: true });  // some may be gone: show what is there
  } finally {
    deleting = false;
    render(selection.get());
  }
}
