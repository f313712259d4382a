// Upload tray (#upload-tray): draws the uploads store (uploads-store.js), one row per queue job,
// updated in place by job id; drawing is batched per animation frame. The list is windowed: only
// the rows near its viewport are in the DOM (tray-window.js does the math), between two spacers
// as tall as the rows above and below, so a 10,000-file batch costs a few dozen rows. `initUploads` wires everything upload-related: the store to `upload://event`, the
// grid and the form to the store (busy badges, and the image header a finished job's event
// carries, so a finished upload costs no request from the page), drops and the toolbar.
import { h, $, replaceChildren, plural } from './dom.js';
import { api, listen } from './api.js';
import { showError, showToast } from './toast.js';
import { setCardProcessing, showServerImage, setUploadsRunning } from './grid.js';
import { localPreview } from './local-previews.js';
import { setProcessingLock, refreshOpenImage } from './detail.js';
import { confirmDialog } from './dialogs.js';
import { initDropzone } from './dropzone.js';
import { initToolbar } from './uploads-toolbar.js';
import { uploads, ACTIVE, imageOf, statusText, rowActions, formatBytes } from './uploads-store.js';
import { offsetsOf, visibleRange, estimateHeight, anchorRow } from './tray-window.js';

const rows = new Map();      // id → row element, for the rows in the DOM (near the viewport)
const dirty = new Set();     // job ids whose row must be redrawn (if it is in the DOM)
const heights = new Map();   // id → the row's height when last drawn (px)
let order = [];              // job ids in queue order (rebuilt when jobs come or go)
let offsets = offsetsOf([]); // row tops for `order` (tray-window.js)
let offsetsStale = true;
const previews = new Map();  // imageId → preview URL of a finished upload (row thumbnails)
let frame = 0;
let collapsed = false;
let structureChanged = false;
let noticeDismissed = false;

const ACTION_LABELS = {
  'check-again': 'Check again',
  'send-again': 'Send again',
  cancel: 'Cancel',
  retry: 'Retry',
  anyway: 'Send anyway',
};

const tray = () => $('#upload-tray');

/** Entry point for everything upload-related: store, tray, grid/form hooks, drops, toolbar. */
export function initUploads() {
  buildShell();
  uploads.subscribe(onChange);
  initToolbar();
  initDropzone();
  listen('upload://event', (e) => uploads.apply(e.payload));
  listen('upload://lagged', () => reload());
  reload();
}

/** Replaces the store's content with the backend's snapshot (start-up, lagging, new server). */
async function reload() {
  try {
    uploads.load(await api.uploadJobs());
  } catch (err) {
    showError('Could not load the upload list.', err);
  }
}

function onChange(change) {
  if (change.reset) {
    for (const [id, row] of rows) if (!uploads.job(id)) { row.remove(); rows.delete(id); }
    for (const id of heights.keys()) if (!uploads.job(id)) heights.delete(id);
    structureChanged = true;
  }
  for (const id of change.removed) { rows.get(id)?.remove(); rows.delete(id); heights.delete(id); }
  if (change.removed.length) structureChanged = true;
  for (const id of change.jobs) dirty.add(id);
  if (change.added) { structureChanged = true; collapsed = false; }
  for (const id of change.busy) {
    const busy = uploads.isBusy(id);
    setCardProcessing(id, busy);
    setProcessingLock(id, busy);
  }
  for (const { job, image } of change.finished) showFinishedImage(job, image);
  setUploadsRunning(uploads.running());
  schedule();
  // Which jobs wait for their server changed for many jobs at once: take the backend's list.
  if (change.serverChanged) reload();
}

/** A finished upload refreshes its card, the open form and its row's thumbnail from the header
 * its event carries. */
function showFinishedImage(job, image) {
  showServerImage(image, { addToFolder: job.target?.folderId || null });
  refreshOpenImage(image);
  const p = image.headerData?.preview;
  const url = typeof p === 'string' ? p : p?.preview;
  if (typeof url === 'string' && /^(https?:|asset:|data:image\/)/i.test(url)) previews.set(image.id, url);
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(render);
}

function buildShell() {
  const el = tray();
  replaceChildren(el,
    h('div', { id: 'journal-notice', class: 'upload-banner', hidden: true, attrs: { role: 'alert' } },
      h('span', { class: 'upload-banner-text' }),
      h('button', { id: 'dismiss-journal-notice', type: 'button', class: 'button small', text: 'Dismiss', on: { click: dismissNotice } })),
    h('div', { id: 'interrupted-banner', class: 'upload-banner', hidden: true, attrs: { role: 'alert' } },
      h('span', { class: 'upload-banner-text' }),
      h('button', { id: 'resume-interrupted', type: 'button', class: 'button small primary', text: 'Resume', on: { click: () => act(api.resumeInterruptedUploads, 'Could not resume the uploads.') } }),
      h('button', { id: 'discard-interrupted', type: 'button', class: 'button small', text: 'Discard', on: { click: () => act(api.discardInterruptedUploads, 'Could not discard the uploads.') } })),
    h('div', { class: 'upload-head' },
      h('button', { id: 'upload-toggle', type: 'button', class: 'icon-button', attrs: { 'aria-expanded': 'true', 'aria-label': 'Collapse uploads' }, text: '▾', on: { click: toggle } }),
      h('div', { class: 'upload-overall' },
        h('div', { id: 'upload-summary', class: 'upload-summary', attrs: { 'aria-live': 'polite' } }),
        h('div', { class: 'upload-bar' }, h('div', { id: 'upload-bar-fill', class: 'upload-bar-fill' }))),
      h('button', { id: 'retry-all-failed', type: 'button', class: 'button small', text: 'Retry all failed', on: { click: () => act(api.retryFailedUploads, 'Could not retry the failed uploads.') } }),
      h('button', { id: 'clear-finished', type: 'button', class: 'button small', text: 'Clear finished', on: { click: () => act(api.clearFinishedUploads, 'Could not clear the finished uploads.') } })),
    h('div', { id: 'upload-paused', class: 'upload-paused', hidden: true, attrs: { role: 'status' } }),
    // Focusable, so the keyboard can scroll it when no row has a button (all done).
    h('ul', { id: 'upload-list', class: 'upload-list', tabIndex: 0, attrs: { 'aria-label': 'Uploads in this batch' } },
      spacer('upload-spacer-top'), spacer('upload-spacer-bottom')));
  const list = $('#upload-list');
  list.addEventListener('click', onRowClick);
  list.addEventListener('scroll', schedule, { passive: true });
  // A taller or shorter tray (window resized, banners shown) shows other rows.
  if (typeof ResizeObserver === 'function') new ResizeObserver(schedule).observe(list);
}

/** The space of the rows not drawn above (or below) the drawn ones. */
function spacer(id) {
  return h('li', { id, class: 'upload-spacer', attrs: { 'aria-hidden': 'true' } });
}

async function act(fn, failure) {
  try {
    await fn();
    await reload();
  } catch (err) { showError(failure, err); }
}

function dismissNotice() {
  noticeDismissed = true;
  schedule();
}

function toggle() {
  collapsed = !collapsed;
  structureChanged = true;
  schedule();
}

function onRowClick(e) {
  const btn = e.target.closest('button[data-action]');
  const row = e.target.closest('.upload-row');
  if (!btn || !row) return;
  const id = row.dataset.jobId;
  const run = {
    cancel: api.cancelUpload,
    retry: api.retryUpload,
    anyway: api.sendUploadAnyway,
    'check-again': (jobId) => decide(api.checkAgain, jobId),
    'send-again': confirmSendAgain,
  }[btn.dataset.action];
  if (!run) return;
  btn.disabled = true;
  run(id)
    .then((answer) => { if (answer === false) btn.disabled = false; })
    .catch((err) => { btn.disabled = false; showError('That upload could not be changed.', err); });
}

/** Check again / Send again answer counts and refusals; a refused job says why. */
async function decide(fn, jobId) {
  const res = await fn([jobId]);
  const refused = res?.refused?.[0];
  if (refused) showToast(refused.reason, { error: true });
}

/** Sending again may add the file twice: the user confirms first. Resolves false if not. */
async function confirmSendAgain(jobId) {
  const job = uploads.job(jobId);
  const ok = await confirmDialog({
    title: 'Send the file again?',
    message: `${job?.fileName || 'This file'} may already be on BeProduct: the server did not answer after receiving it. Sending it again may add it twice. Use Check again first if you are not sure.`,
    ok: 'Send again',
  });
  if (!ok) return false;
  await decide(api.sendAgain, jobId);
  return true;
}

function render() {
  frame = 0;
  const jobs = uploads.jobs();
  const notice = noticeDismissed ? null : uploads.journalNotice();
  const el = tray();
  el.hidden = jobs.size === 0 && uploads.interrupted().length === 0 && !notice;
  el.classList.toggle('collapsed', collapsed);
  const toggleBtn = $('#upload-toggle');
  toggleBtn.textContent = collapsed ? '▸' : '▾';
  toggleBtn.setAttribute('aria-expanded', String(!collapsed));
  toggleBtn.setAttribute('aria-label', collapsed ? 'Expand uploads' : 'Collapse uploads');
  renderNotice(notice);
  renderBanner();
  renderSummary();
  renderRows(jobs);
}

/** Draws the rows near the list's viewport (none while collapsed), in queue order between the
 * spacers; then measures them, and draws again next frame if a measured height changed the
 * layout (a wrapped failure reason). */
function renderRows(jobs) {
  const list = $('#upload-list');
  if (structureChanged || offsetsStale) {
    // The first row in view stays where it is when rows above it come, go or change height;
    // scrolled to the very end, the end stays in view while drawn rows get their heights.
    const atEnd = !structureChanged && list.scrollTop > 0
      && list.scrollTop + list.clientHeight >= list.scrollHeight - 1;
    const at = anchorRow(offsets, list.scrollTop);
    const anchorId = at >= 0 ? order[at] : undefined;
    const into = at >= 0 ? list.scrollTop - offsets[at] : 0;
    if (structureChanged) order = [...jobs.keys()];
    structureChanged = false;
    const guess = estimateHeight(heights);
    offsets = offsetsOf(order.map((id) => heights.get(id) ?? guess));
    offsetsStale = false;
    const total = offsets[offsets.length - 1];
    list.querySelector('#upload-spacer-bottom').style.height = `${total}px`;
    if (atEnd) list.scrollTop = total;
    else if (anchorId !== undefined) {
      const now = order[at] === anchorId ? at : order.indexOf(anchorId);
      if (now >= 0 && Math.abs(list.scrollTop - (offsets[now] + into)) >= 1) list.scrollTop = offsets[now] + into;
    }
  }
  const range = collapsed || tray().hidden
    ? { start: 0, end: 0, top: 0, bottom: offsets[offsets.length - 1] }
    : visibleRange(offsets, list.scrollTop, list.clientHeight);
  const want = order.slice(range.start, range.end);
  const keep = new Set(want);
  for (const [id, row] of rows) if (!keep.has(id)) { row.remove(); rows.delete(id); }
  const top = $('#upload-spacer-top');
  let prev = top;
  want.forEach((id, i) => {
    const job = jobs.get(id);
    let row = rows.get(id);
    if (!row) {
      row = rowElement(job);
      // Drawn rows are the ones near the viewport: measured as they are, never skipped
      // (`content-visibility: auto` would report a placeholder height for rows just outside).
      row.style.contentVisibility = 'visible';
      rows.set(id, row);
      fillRow(row, job);
    } else if (dirty.has(id)) {
      fillRow(row, job);
    }
    row.setAttribute('aria-posinset', String(range.start + i + 1));
    row.setAttribute('aria-setsize', String(order.length));
    // Rows already in the right place are not moved.
    if (prev.nextSibling !== row) list.insertBefore(row, prev.nextSibling);
    prev = row;
  });
  // Rows not drawn are filled when they are drawn: nothing else to remember.
  dirty.clear();
  top.style.height = `${range.top}px`;
  $('#upload-spacer-bottom').style.height = `${range.bottom}px`;
  let moved = false;
  for (const id of want) {
    const height = rows.get(id).offsetHeight;
    if (height > 0 && heights.get(id) !== height) { heights.set(id, height); moved = true; }
  }
  // Measured heights moved the rows: the range is worked out again with them next frame
  // (heights only change when content does, so this settles at once).
  if (moved) { offsetsStale = true; schedule(); }
}

/** The journal found at start-up could not be read and was moved aside: say where, once. */
function renderNotice(notice) {
  const banner = $('#journal-notice');
  banner.hidden = !notice;
  if (notice) banner.querySelector('.upload-banner-text').textContent = notice.message;
}

function renderBanner() {
  const banner = $('#interrupted-banner');
  const n = uploads.interrupted().filter((j) => uploads.job(j.id)?.interrupted !== false).length;
  banner.hidden = n === 0;
  if (n) banner.querySelector('.upload-banner-text').textContent = `${plural(n, 'upload was', 'uploads were')} interrupted.`;
}

function renderSummary() {
  const t = uploads.totals() || {};
  const jobs = uploads.jobs();
  const all = Number(t.total) || jobs.size;
  const done = Number(t.done) || 0;
  const failed = Number(t.failed) || 0;
  const parts = [`${done.toLocaleString()} of ${all.toLocaleString()} done`];
  if (failed) parts.push(`${failed.toLocaleString()} failed`);
  if (t.mayHaveLanded) parts.push(`${t.mayHaveLanded} may have landed`);
  if (t.waitingForServer) parts.push(`${t.waitingForServer} waiting for their server`);
  if (t.duplicate) parts.push(`${t.duplicate} duplicate`);
  if (t.cancelled) parts.push(`${t.cancelled} cancelled`);
  $('#upload-summary').textContent = parts.join(' · ');
  const pct = t.bytesTotal ? Math.min(100, (100 * (t.bytesSent || 0)) / t.bytesTotal) : 0;
  $('#upload-bar-fill').style.width = `${pct.toFixed(1)}%`;
  $('#retry-all-failed').hidden = !failed;
  // From the totals when the backend sent them (no walk over 10,000 jobs per frame).
  const finished = uploads.totals()
    ? ['done', 'failed', 'cancelled', 'duplicate', 'changed'].some((k) => Number(t[k]) > 0)
    : [...jobs.values()].some((j) => !ACTIVE.has(j.state?.kind) && j.state?.kind !== 'mayHaveLanded');
  $('#clear-finished').disabled = !finished;
  const paused = uploads.paused();
  const p = $('#upload-paused');
  p.hidden = !paused;
  p.textContent = paused ? `Paused: ${paused.replace(/\.$/, '')}. Uploads continue by themselves once this is resolved.` : '';
}

function rowElement(job) {
  return h('li', { class: 'upload-row', dataset: { jobId: job.id } },
    h('div', { class: 'upload-thumb' }, h('span', { class: 'upload-file-icon', attrs: { 'aria-hidden': 'true' } })),
    h('div', { class: 'upload-info' },
      h('div', { class: 'upload-line' }, h('span', { class: 'upload-name' }), h('span', { class: 'upload-size muted' })),
      h('div', { class: 'upload-status' }),
      h('div', { class: 'upload-progress' }, h('div', { class: 'upload-progress-fill' }))),
    h('div', { class: 'upload-actions' }));
}

function fillRow(row, job) {
  const kind = job.state?.kind || 'queued';
  row.dataset.state = kind;
  row.classList.toggle('waiting-for-server', !!job.waitingForServer);
  row.querySelector('.upload-name').textContent = job.fileName || sourceName(job);
  row.title = job.source?.path || job.source?.url || '';
  row.querySelector('.upload-size').textContent = job.size ? formatBytes(job.size) : '';
  row.querySelector('.upload-status').textContent = statusText(job);
  const pct = kind === 'uploading' && job.size ? Math.min(100, (100 * (job.bytesSent || 0)) / job.size) : (kind === 'processing' || kind === 'done' ? 100 : 0);
  row.querySelector('.upload-progress-fill').style.width = `${pct.toFixed(0)}%`;
  const actions = rowActions(job);
  const key = actions.join(',');
  const box = row.querySelector('.upload-actions');
  if (box.dataset.key !== key) {
    box.dataset.key = key;
    replaceChildren(box, actions.map((action) => h('button', { type: 'button', class: 'button small', dataset: { action }, text: ACTION_LABELS[action] })));
  }
  setThumb(row, job);
}

/** The server preview once processed; until then (or without one) a preview made locally from
 * the file (`local-previews.js`), since the page cannot read local files (strict CSP). */
function setThumb(row, job) {
  const thumb = row.querySelector('.upload-thumb');
  const url = job.state?.kind === 'done' ? previews.get(imageOf(job)) || '' : '';
  const img = thumb.querySelector('img');
  if (!url && job.source?.kind === 'path' && !thumb.dataset.local) {
    thumb.dataset.local = job.id;
    localPreview(job.id).then((res) => {
      if (row.dataset.jobId !== job.id || thumb.querySelector('img:not(.local)')) return;
      if (res.url) replaceChildren(thumb, h('img', { class: 'local', alt: '', decoding: 'async', src: res.url }));
      else thumb.title = res.error;
    });
  }
  if (url && (!img || img.getAttribute('src') !== url)) {
    // Lazy: rows scrolled out of the tray fetch nothing (1,000 finished rows would otherwise
    // load 1,000 previews in the page's process during a batch; benches/app_bench.py).
    const el = h('img', { alt: '', loading: 'lazy', decoding: 'async', src: url });
    el.addEventListener('error', () => replaceChildren(thumb, h('span', { class: 'upload-file-icon', attrs: { 'aria-hidden': 'true' } })));
    replaceChildren(thumb, el);
  }
}

function sourceName(job) {
  const s = job.source?.path || job.source?.url || '';
  return s.split(/[\\/]/).filter(Boolean).pop() || 'file';
}
