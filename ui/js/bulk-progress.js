// The bulk panel (#bulk-panel, docked above the upload tray): the progress of the running bulk
// edit (`bulk://progress`, at most ~10 a second) with Cancel; when it ends (`bulk://finished`)
// a summary, the failed images with their reasons ("Retry failed"), the skipped ones, and
// "Undo" while the backend says it can; journals a crash left unfinished (`bulk_status`'s
// `interrupted`) with Resume / Discard; and the result of a bulk delete. After an edit ends the
// grid is soft-reloaded (one listing) and the open image, if any and not being edited, is
// read again so its form does not show the old values.
import { h, $, replaceChildren } from './dom.js';
import { api, listen } from './api.js';
import { state } from './state.js';
import { showError, showToast } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { reloadGrid } from './grid.js';
import { refreshOpenImage } from './detail.js';
import {
  progressModel, progressAnnouncement, finishedModel, interruptedText, deleteResultModel,
} from './bulk-model.js';
import { reasonList } from './bulk-lists.js';

let running = null;       // BulkProgress of the edit running now
let finished = null;      // BulkFinished of the last edit, until dismissed
let interrupted = [];     // [{editId, kind, total, changed, startedAt}]
let deleted = null;       // a bulk delete's result, until dismissed
let cancelling = false;
let announced = -1;       // the tenth of the run last announced to screen readers
let busyAction = false;
let frame = 0;
const ended = new Set();  // edits that sent bulk://finished: a late progress event is dropped
let starting = 0;         // run commands waiting for their answer
const endedWhileStarting = new Set();  // edits that finished while a run command was waiting

const panel = () => $('#bulk-panel');

export function initBulkProgress() {
  buildShell();
  listen('bulk://progress', (e) => onProgress(e.payload));
  listen('bulk://finished', (e) => onFinished(e.payload));
}

/** Asks the backend what is running or was left unfinished (start-up and every new connection). */
export async function refreshBulkStatus() {
  try {
    const status = await api.bulkStatus();
    interrupted = Array.isArray(status?.interrupted) ? status.interrupted : [];
    if (status?.running) { running = status.running; finished = null; }
    else if (running) running = null;
    schedule();
  } catch (err) {
    showError('Could not ask whether a bulk edit is running.', err);
  }
}

/** Menu items for the last finished edit while the backend can still undo it (after a restart
 * its summary is gone from the panel, but Undo stays reachable from the toolbar's menu). */
export async function lastEditItems() {
  let status;
  try {
    status = await api.bulkStatus();
  } catch {
    return [];
  }
  const last = status?.last;
  if (status?.running || !last?.canUndo) return [];
  const changed = Number(last.counts?.changed) || 0;
  const what = { import: 'import', undo: 'undo' }[last.kind] || 'bulk edit';
  return [{ label: `Undo the last ${what} (${changed.toLocaleString()} ${changed === 1 ? 'image' : 'images'})…`, onSelect: () => undo(last) }];
}

/**
 * Starts a run: `call` is the command (`run_bulk`, `retry_bulk`, `undo_bulk`) answering
 * {editId, total}; the run is shown at once, before its first progress event. A short run can
 * end (`bulk://finished`) before its command's answer reaches the page: then its summary stays.
 */
export async function startRun(call, kind = 'edit') {
  starting += 1;
  try {
    const started = await call();
    showStarted(started, kind);
    return started;
  } finally {
    starting -= 1;
    if (!starting) endedWhileStarting.clear();
  }
}

function showStarted(started, kind) {
  if (!started?.editId || endedWhileStarting.has(started.editId)) return;
  if (running?.editId !== started.editId) {
    running = { editId: started.editId, kind, total: Number(started.total) || 0, done: 0, counts: { changed: 0, unchanged: 0, failed: 0, skipped: 0 } };
  }
  finished = null;  // a retry may go on under the same id: its old summary goes
  ended.delete(started.editId);
  interrupted = interrupted.filter((i) => i.editId !== started.editId);
  deleted = null;
  cancelling = false;
  announced = -1;
  schedule();
}

/** A bulk delete's answer ({deleted, failed}) in the panel. */
export function showDeleteResult(res) {
  deleted = res;
  schedule();
}

function onProgress(p) {
  if (!p?.editId) return;
  if (ended.has(p.editId)) return;  // a late event after the end
  running = p;
  schedule();
}

function onFinished(f) {
  if (!f?.editId) return;
  ended.add(f.editId);
  if (starting) endedWhileStarting.add(f.editId);
  running = null;
  cancelling = false;
  finished = f;
  interrupted = interrupted.filter((i) => i.editId !== f.editId);
  const m = finishedModel(f);
  announce(`${m.title}: ${m.summary}.`);
  schedule();
  reloadGrid({ soft: true });
  refreshOpen();
}

/** The open image's form shows values from before the edit: read it again unless it has edits. */
async function refreshOpen() {
  const image = state.openImage;
  if (!image || state.dirty || state.creating) return;
  try {
    const fresh = await api.getImage(image.id);
    refreshOpenImage(fresh);
  } catch {
    // Deleted or unreachable: the grid's reload shows what is there; the form stays as it was.
  }
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
}

function buildShell() {
  replaceChildren(panel(),
    h('div', { id: 'bulk-live', class: 'bulk-sr-only', attrs: { 'aria-live': 'polite', role: 'status' } }),
    h('div', { id: 'bulk-interrupted' }),
    h('div', { id: 'bulk-running', class: 'bulk-block', hidden: true },
      h('div', { class: 'bulk-block-head' },
        h('div', { class: 'bulk-block-main' },
          h('div', { id: 'bulk-running-title', class: 'bulk-title' }),
          h('div', { id: 'bulk-progress', class: 'bulk-progress', attrs: { role: 'progressbar', 'aria-labelledby': 'bulk-running-title', 'aria-valuemin': '0' } },
            h('div', { id: 'bulk-progress-fill', class: 'bulk-progress-fill' })),
          h('div', { id: 'bulk-running-text', class: 'bulk-text muted' })),
        h('button', { id: 'bulk-cancel', type: 'button', class: 'button small', text: 'Cancel', on: { click: cancel } }))),
    h('div', { id: 'bulk-finished', class: 'bulk-block', hidden: true }),
    h('div', { id: 'bulk-deleted', class: 'bulk-block', hidden: true }));
}

function announce(text) {
  const live = $('#bulk-live');
  if (live && text) live.textContent = text;
}

function render() {
  renderInterrupted();
  renderRunning();
  renderFinished();
  renderDeleted();
  panel().hidden = !running && !finished && !deleted && interrupted.length === 0;
}

function renderInterrupted() {
  const box = $('#bulk-interrupted');
  const key = interrupted.map((i) => `${i.editId}:${i.changed}:${i.total}`).join('|') + (busyAction ? '!' : '');
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  replaceChildren(box, interrupted.map((entry) => h('div', { class: 'bulk-banner', attrs: { role: 'alert' } },
    h('span', { class: 'bulk-banner-text', text: interruptedText(entry) }),
    h('button', { type: 'button', class: 'button small primary', text: 'Resume', disabled: busyAction || !!running, on: { click: () => resume(entry) } }),
    h('button', { type: 'button', class: 'button small', text: 'Discard', disabled: busyAction, on: { click: () => discard(entry) } }))));
}

function renderRunning() {
  const block = $('#bulk-running');
  block.hidden = !running;
  if (!running) return;
  const m = progressModel(running);
  $('#bulk-running-title').textContent = cancelling ? 'Cancelling…' : m.title;
  $('#bulk-running-text').textContent = m.text;
  const bar = $('#bulk-progress');
  bar.setAttribute('aria-valuemax', String(m.total));
  bar.setAttribute('aria-valuenow', String(m.done));
  bar.setAttribute('aria-valuetext', m.text);
  $('#bulk-progress-fill').style.width = `${m.percent}%`;
  $('#bulk-cancel').disabled = cancelling;
  const said = progressAnnouncement(running, announced);
  if (said.text) { announced = said.step; announce(`${m.title} ${said.text}`); }
}

function renderFinished() {
  const block = $('#bulk-finished');
  block.hidden = !finished;
  if (!finished) return;
  const key = `${finished.editId}:${busyAction}:${!!running}`;
  if (block.dataset.key === key) return;
  block.dataset.key = key;
  const m = finishedModel(finished);
  replaceChildren(block,
    h('div', { class: 'bulk-block-head' },
      h('div', { class: 'bulk-block-main' },
        h('div', { class: ['bulk-title', `tone-${m.tone}`], text: m.title }),
        h('div', { class: 'bulk-text', text: m.summary })),
      m.canRetry
        ? h('button', { type: 'button', class: 'button small', text: m.retryLabel, disabled: busyAction || !!running, on: { click: () => retry(finished) } }) : null,
      m.canUndo ? h('button', { type: 'button', class: 'button small', text: 'Undo', disabled: busyAction || !!running, on: { click: () => undo(finished) } }) : null,
      h('button', { type: 'button', class: 'icon-button', text: '×', attrs: { 'aria-label': 'Dismiss the bulk edit summary', title: 'Dismiss' }, on: { click: () => { finished = null; schedule(); } } })),
    outcomeList('Failed', m.failed, true),
    outcomeList('Skipped', m.skipped, false));
}

function renderDeleted() {
  const block = $('#bulk-deleted');
  block.hidden = !deleted;
  if (!deleted) return;
  const m = deleteResultModel(deleted);
  replaceChildren(block,
    h('div', { class: 'bulk-block-head' },
      h('div', { class: 'bulk-block-main' },
        h('div', { class: ['bulk-title', `tone-${m.tone}`], text: m.title }),
        h('div', { class: 'bulk-text', text: m.summary })),
      h('button', { type: 'button', class: 'icon-button', text: '×', attrs: { 'aria-label': 'Dismiss the delete summary', title: 'Dismiss' }, on: { click: () => { deleted = null; schedule(); } } })),
    outcomeList('Not deleted', m.failed, true));
}

/** A collapsible list of images with reasons (failed ones open by default). */
function outcomeList(title, items, failure) {
  if (!items.length) return null;
  return h('details', { class: 'bulk-outcomes', open: failure },
    h('summary', { text: `${title} (${items.length.toLocaleString()})` }),
    reasonList(items, { failure }));
}

async function cancel() {
  if (!running || cancelling) return;
  cancelling = true;
  schedule();
  try {
    await api.cancelBulk();
  } catch (err) {
    cancelling = false;
    schedule();
    showError('Could not cancel the bulk edit.', err);
  }
}

async function act(fn, failure, kind) {
  if (busyAction) return;
  busyAction = true;
  schedule();
  try {
    await startRun(fn, kind);
    busyAction = false;
    schedule();
  } catch (err) {
    busyAction = false;
    schedule();
    showError(failure, err);
  }
}

function retry(f) {
  act(() => api.retryBulk(f.editId), 'Could not retry the bulk edit.', f.kind);
}

async function undo(f) {
  const changed = Number(f?.counts?.changed) || 0;
  const ok = await confirmDialog({
    title: { import: 'Undo the import?', undo: 'Undo the undo?' }[f?.kind] || 'Undo the bulk edit?',
    message: `The ${changed.toLocaleString()} changed ${changed === 1 ? 'image gets its' : 'images get their'} previous values back. Images changed again since then are listed, not overwritten.`,
    ok: 'Undo',
  });
  if (!ok) return;
  act(() => api.undoBulk(f.editId), 'Could not undo the bulk edit.', 'undo');
}

function resume(entry) {
  act(() => api.retryBulk(entry.editId), 'Could not resume the bulk edit.', entry.kind);
}

async function discard(entry) {
  const ok = await confirmDialog({
    title: 'Discard the interrupted edit?',
    message: `${interruptedText(entry)} The images not changed yet stay as they are.`,
    ok: 'Discard', danger: true,
  });
  if (!ok || busyAction) return;
  busyAction = true;
  schedule();
  try {
    await api.discardBulk(entry.editId);
    interrupted = interrupted.filter((i) => i.editId !== entry.editId);
    showToast('The interrupted edit was discarded.');
  } catch (err) {
    showError('Could not discard the interrupted edit.', err);
  } finally {
    busyAction = false;
    schedule();
  }
}
