// Entry point: wires the modules together and owns the start-up / folder-change sequence.
import { $ } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { initDialogs } from './dialogs.js';
import { initConnect, loadConnection } from './connect.js';
import { initFolders, loadFolders } from './folders.js';
import { initGrid, reloadGrid } from './grid.js';
import { initSearch, resetQuery, clearSearch } from './search.js';
import { setFilterSchema } from './filters.js';
import { initDetail, openImage, showNew, showNothing, guardDirty } from './detail.js';
import { initAnnotations } from './annotations.js';
import { forgetChoices } from './choices.js';
import { initShortcuts } from './shortcuts.js';
import { showError } from './toast.js';
import { initUploads } from './tray.js';
import { initAbout } from './about.js';
import { initUpdates } from './updates.js';
import { initBulkProgress, refreshBulkStatus } from './bulk-progress.js';
import { initBulkEdit, openBulkEdit } from './bulk-edit.js';
import { initPresets } from './presets.js';
import { initSheet } from './sheet.js';
import { initBulkBar } from './bulk-bar.js';
import { initIntake } from './intake.js';
import { initIntakeRules } from './intake-rules.js';
import { initPaste } from './paste.js';
import { initHotFolders } from './hot-folders.js';
import { initWorkingCopies } from './working-copies.js';
import { initVersions } from './versions.js';
import { initDragOut } from './drag-out.js';

async function chooseFolder(folderId) {
  if (!folderId) { state.folderId = null; reloadGrid(); return; }
  if (folderId === state.folderId) return;
  if (!(await guardDirty())) return;
  state.folderId = folderId;
  showNothing();
  resetQuery();
  state.fields = { fields: [], filters: [] };
  setFilterSchema([]);
  $('#new-image').disabled = true;
  reloadGrid();
  try {
    const fields = await api.folderSchema(folderId);
    if (state.folderId !== folderId) return;
    state.fields = fields;
  } catch (err) {
    if (state.folderId !== folderId) return;
    showError('Could not load this folder’s fields; filters are not available until it is opened again.', err);
  }
  setFilterSchema(state.fields.filters);
  $('#new-image').disabled = false;
}

/** (Re)loads everything that depends on the connection. */
async function start() {
  showNothing();
  forgetChoices();
  state.folderId = null;
  await loadConnection();
  refreshBulkStatus();  // a running bulk edit, or ones a crash left unfinished
  const folders = await loadFolders();
  // The backend remembers the last folder searched (settings.json); the page keeps no copy.
  const remembered = state.connection?.lastFolderId ?? null;
  const active = folders.filter((f) => f.active !== false);
  const first = folders.find((f) => f.id === remembered) || active[0] || folders[0];
  await chooseFolder(first?.id || null);
}

function init() {
  initDialogs();
  initConnect(start);
  initFolders(chooseFolder);
  initGrid({
    onOpen: (id, opts) => openImage(id, opts),
    onEmptyAction: (what) => (what === 'new' ? showNew() : clearSearch()),
  });
  initSearch();
  initDetail();
  initAnnotations();
  initShortcuts();
  $('#new-image').addEventListener('click', () => showNew());
  initUploads();
  initBulkProgress();
  initBulkEdit();
  initPresets({
    onApply: (preset) => openBulkEdit({ edits: preset.edits, preview: true, presetName: preset.name }),
    onNew: () => openBulkEdit({ presetOnly: true }),
  });
  initSheet();
  initBulkBar();
  initIntake();
  initIntakeRules();
  initPaste();
  initHotFolders();
  initWorkingCopies();
  initVersions();
  initDragOut();
  initAbout();
  initUpdates();
  start();
}

init();
