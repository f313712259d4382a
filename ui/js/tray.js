// Upload tray (#upload-tray): one row per queue job, updated in place by job id from the
// `upload://event` stream (each payload is an array of queue events, gathered by the backend);
// rendering is batched per animation frame so a 1,000-file batch stays responsive. Also tells
// the grid/detail which images are processing.
import { h, $, replaceChildren, plural } from './dom.js';
import { api, listen, describeError } from './api.js';
import { showError, showToast } from './toast.js';
import { emit, on, state } from './state.js';
import { setCardProcessing, showServerImage, processingImages, setUploadsRunning } from './grid.js';
import { setProcessingLock, refreshOpenImage } from './detail.js';
import { initDropzone } from './dropzone.js';

const ACTIVE = new Set(['queued', 'checking', 'creating', 'uploading', 'processing']);
/** States during which the image itself is being changed (card badge, form locked). */
const BUSY_IMAGE = new Set(['creating', 'uploading', 'processing']);

const jobs = new Map();      // id → JobSummary
const rows = new Map();      // id → row element
const dirty = new Set();     // job ids whose row must be redrawn
let totals = null;
let paused = null;
let interrupted = [];
let frame = 0;
let collapsed = false;
let structureChanged = false;
const busyImages = new Map();  // imageId → count of busy jobs

const tray = () => $('#upload-tray');

export async function initTray() {
  buildShell();
  await listen('upload://event', (e) => onEvents(e.payload));
  await listen('upload://lagged', () => reload());
  await reload();
}

/** Replaces everything with the backend's snapshot (start-up, after lagging). */
export async function reload() {
  try {
    const snap = await api.uploadJobs();
    jobs.clear();
    for (const j of snap.jobs || []) jobs.set(j.id, j);
    totals = snap.totals || null;
    interrupted = snap.interrupted || [];
    structureChanged = true;
    jobs.forEach((_, id) => dirty.add(id));
    recomputeBusy();
    updateRunning();
    schedule();
  } catch (err) {
    showError('Could not load the upload list.', err);
  }
}

/** Applies one backend batch, then updates busy images once and draws in the next frame. */
function onEvents(list) {
  if (!Array.isArray(list)) return;
  const transitions = [];
  for (const ev of list) applyEvent(ev, transitions);
  recomputeBusy();
  for (const [before, job] of transitions) notifyJobState(before, job);
  updateRunning();
  schedule();
}

function applyEvent(ev, transitions) {
  if (!ev || typeof ev !== 'object') return;
  if (ev.totals) totals = ev.totals;
  switch (ev.type) {
    case 'jobsAdded':
      for (const j of ev.jobs || []) { jobs.set(j.id, j); dirty.add(j.id); }
      structureChanged = true;
      collapsed = false;
      break;
    case 'jobChanged': {
      const j = ev.job;
      if (!j?.id) break;
      const before = jobs.get(j.id);
      jobs.set(j.id, j);
      dirty.add(j.id);
      if (!before) structureChanged = true;
      transitions.push([before, j]);
      break;
    }
    case 'progress': {
      const j = jobs.get(ev.jobId);
      if (j) { j.bytesSent = ev.bytesSent; j.bytesPerSec = ev.bytesPerSec; if (ev.bytesTotal) j.size = ev.bytesTotal; dirty.add(j.id); }
      break;
    }
    case 'jobsRemoved':
      for (const id of ev.jobIds || []) { jobs.delete(id); rows.get(id)?.remove(); rows.delete(id); }
      interrupted = interrupted.filter((j) => jobs.has(j.id));
      break;
    case 'paused': paused = ev.reason || 'BeProduct cannot be reached'; break;
    case 'resumed': paused = null; break;
    default: break;
  }
}

/** A finished upload refreshes its card and form (busy badges follow `recomputeBusy`). */
function notifyJobState(before, job) {
  if (job.state?.kind === 'done' && before?.state?.kind !== 'done' && imageOf(job)) refreshWhenFinished(imageOf(job), job);
}

/** The image a job changes: the one it created, or the target of a new version. */
function imageOf(job) { return job.imageId || job.target?.imageId || null; }

function recomputeBusy() {
  const next = new Map();
  for (const j of jobs.values()) {
    const id = imageOf(j);
    if (id && BUSY_IMAGE.has(j.state?.kind)) next.set(id, (next.get(id) || 0) + 1);
  }
  const changed = new Set([...busyImages.keys(), ...next.keys()].filter((id) => busyImages.has(id) !== next.has(id)));
  busyImages.clear();
  next.forEach((v, k) => busyImages.set(k, v));
  if (changed.size) emit('upload-busy', { changed: [...changed], busy: new Set(busyImages.keys()) });
}

/** Tells the grid whether uploads are still running (finished images not yet re-read count). */
function updateRunning() {
  let running = finished.size > 0 || refreshing;
  for (const j of jobs.values()) {
    if (running) break;
    running = ACTIVE.has(j.state?.kind) && !j.interrupted;
  }
  setUploadsRunning(running);
}

export function isImageBusy(id) { return busyImages.has(id); }

function schedule() {
  if (!frame) frame = requestAnimationFrame(render);
}

function buildShell() {
  const el = tray();
  replaceChildren(el,
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
    h('div', { id: 'upload-paused', class: 'upload-paused', hidden: true }),
    h('ul', { id: 'upload-list', class: 'upload-list' }));
  $('#upload-list').addEventListener('click', onRowClick);
}

async function act(fn, failure) {
  try {
    await fn();
    await reload();
  } catch (err) { showError(failure, err); }
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
  const run = { cancel: api.cancelUpload, retry: api.retryUpload, anyway: api.sendUploadAnyway }[btn.dataset.action];
  if (!run) return;
  btn.disabled = true;
  run(id).catch((err) => { btn.disabled = false; showError('That upload could not be changed.', err); });
}

const ROWS_PER_FRAME = 80;

function render() {
  frame = 0;
  const el = tray();
  el.hidden = jobs.size === 0 && interrupted.length === 0;
  el.classList.toggle('collapsed', collapsed);
  const toggleBtn = $('#upload-toggle');
  toggleBtn.textContent = collapsed ? '▸' : '▾';
  toggleBtn.setAttribute('aria-expanded', String(!collapsed));
  toggleBtn.setAttribute('aria-label', collapsed ? 'Expand uploads' : 'Collapse uploads');
  renderBanner();
  renderSummary();
  const list = $('#upload-list');
  let created = 0;
  for (const id of dirty) {
    // A 10,000-file drop builds its rows over several frames instead of in one long one.
    if (created >= ROWS_PER_FRAME) { schedule(); break; }
    dirty.delete(id);
    const job = jobs.get(id);
    if (!job) continue;
    let row = rows.get(id);
    if (!row) { row = rowElement(job); rows.set(id, row); structureChanged = true; created += 1; }
    fillRow(row, job);
  }
  if (structureChanged) {
    // Queue order; rows that already sit in the right place are not moved.
    let prev = null;
    for (const id of jobs.keys()) {
      const row = rows.get(id);
      if (!row) continue;
      const want = prev ? prev.nextSibling : list.firstChild;
      if (want !== row) list.insertBefore(row, want);
      prev = row;
    }
    structureChanged = false;
  }
}

function renderBanner() {
  const banner = $('#interrupted-banner');
  const n = interrupted.filter((j) => jobs.get(j.id)?.interrupted !== false).length;
  banner.hidden = n === 0;
  if (n) banner.querySelector('.upload-banner-text').textContent = `${plural(n, 'upload was', 'uploads were')} interrupted.`;
}

function renderSummary() {
  const t = totals || {};
  const all = Number(t.total) || jobs.size;
  const done = Number(t.done) || 0;
  const failed = Number(t.failed) || 0;
  const parts = [`${done.toLocaleString()} of ${all.toLocaleString()} done`];
  if (failed) parts.push(`${failed.toLocaleString()} failed`);
  if (t.duplicate) parts.push(`${t.duplicate} duplicate`);
  if (t.cancelled) parts.push(`${t.cancelled} cancelled`);
  $('#upload-summary').textContent = parts.join(' · ');
  const pct = t.bytesTotal ? Math.min(100, (100 * (t.bytesSent || 0)) / t.bytesTotal) : 0;
  $('#upload-bar-fill').style.width = `${pct.toFixed(1)}%`;
  $('#retry-all-failed').hidden = !failed;
  const finished = [...jobs.values()].some((j) => !ACTIVE.has(j.state?.kind));
  $('#clear-finished').disabled = !finished;
  const p = $('#upload-paused');
  p.hidden = !paused;
  p.textContent = paused ? `Paused: ${paused}. Waiting for the connection…` : '';
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
  row.querySelector('.upload-name').textContent = job.fileName || sourceName(job);
  row.title = job.source?.path || job.source?.url || '';
  row.querySelector('.upload-size').textContent = job.size ? formatBytes(job.size) : '';
  row.querySelector('.upload-status').textContent = statusText(job);
  const pct = kind === 'uploading' && job.size ? Math.min(100, (100 * (job.bytesSent || 0)) / job.size) : (kind === 'processing' || kind === 'done' ? 100 : 0);
  row.querySelector('.upload-progress-fill').style.width = `${pct.toFixed(0)}%`;
  const actions = [];
  if (ACTIVE.has(kind)) actions.push(button('cancel', 'Cancel'));
  if (kind === 'failed' || kind === 'cancelled' || kind === 'changed') actions.push(button('retry', 'Retry'));
  if (kind === 'duplicate') actions.push(button('anyway', 'Send anyway'));
  const key = actions.map((b) => b.dataset.action).join(',');
  const box = row.querySelector('.upload-actions');
  if (box.dataset.key !== key) { box.dataset.key = key; replaceChildren(box, actions); }
  setThumb(row, job);
}

/** Local files cannot be read from the page (strict CSP): the server preview once processed. */
function setThumb(row, job) {
  const thumb = row.querySelector('.upload-thumb');
  const url = job.state?.kind === 'done' ? thumbFor(imageOf(job)) : '';
  const img = thumb.querySelector('img');
  if (url && (!img || img.getAttribute('src') !== url)) {
    // Lazy: rows scrolled out of the tray fetch nothing (1,000 finished rows would otherwise
    // load 1,000 previews in the page's process during a batch; benches/app_bench.py).
    const el = h('img', { alt: '', loading: 'lazy', decoding: 'async', src: url });
    el.addEventListener('error', () => replaceChildren(thumb, h('span', { class: 'upload-file-icon', attrs: { 'aria-hidden': 'true' } })));
    replaceChildren(thumb, el);
  }
}

const previews = new Map();  // imageId → preview URL, filled by setUploadPreview
/** Shows the server preview on the row of `jobId` (other rows of that image pick it up when drawn). */
export function setUploadPreview(imageId, url, jobId) {
  if (!imageId || !url) return;
  previews.set(imageId, url);
  if (jobs.has(jobId)) { dirty.add(jobId); schedule(); }
}
function thumbFor(imageId) { return previews.get(imageId) || ''; }

function button(action, label) {
  return h('button', { type: 'button', class: 'button small', dataset: { action }, text: label });
}

function sourceName(job) {
  const s = job.source?.path || job.source?.url || '';
  return s.split(/[\\/]/).filter(Boolean).pop() || 'file';
}

export function statusText(job) {
  const s = job.state || {};
  switch (s.kind) {
    case 'queued': return job.interrupted ? 'Interrupted' : 'Queued';
    case 'checking': return 'Checking with the server…';
    case 'creating': return 'Creating image…';
    case 'uploading': {
      const pct = job.size ? Math.floor((100 * (job.bytesSent || 0)) / job.size) : 0;
      const rate = job.bytesPerSec ? ` · ${formatBytes(job.bytesPerSec)}/s` : '';
      return `Uploading ${pct}%${rate}`;
    }
    case 'processing': return 'Processing on server';
    case 'done': return 'Done';
    case 'failed': return `Failed: ${s.reason || 'unknown reason'}`;
    case 'cancelled': return 'Cancelled';
    case 'duplicate': return 'Duplicate of a file already sent';
    case 'changed': return 'Changed on disk; not sent';
    default: return s.kind || '';
  }
}

export function formatBytes(n) {
  const v = Number(n) || 0;
  if (v < 1024) return `${v.toFixed(0)} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  return `${(v / 1024 ** 3).toFixed(1)} GB`;
}

/** Queues the files behind `handle` (a drop or the file dialog) and reports what was left out;
 * returns the backend's answer (or null on error). The jobs arrive as `upload://event`. */
export async function enqueueFiles(handle, target) {
  try {
    const res = await api.enqueueUploads(handle, target);
    const leftOut = [...(res.rejected || []), ...(res.skipped || [])];
    const queued = plural(Number(res.accepted) || 0, 'file', 'files');
    const first = leftOut[0];
    if (leftOut.length) showToast(`${queued} queued; ${leftOut.length} left out (${first.name}: ${first.reason}).`);
    else showToast(`${queued} queued for upload.`);
    return res;
  } catch (err) {
    showError(describeError(err).title, err);
    return null;
  }
}

// Images whose upload finished, re-read from the server together: one `get_images` call per
// REFRESH_EVERY ms instead of one IPC call per image, which kept the page's main thread busy
// during a 1,000-file batch (benches/app_bench.py).
const REFRESH_EVERY = 300;
const finished = new Map();  // imageId → the job that finished it
let refreshTimer = 0;
let refreshing = false;     // a get_images call is on its way

function refreshWhenFinished(imageId, job) {
  finished.set(imageId, job);
  if (!refreshTimer) refreshTimer = setTimeout(refreshFinished, REFRESH_EVERY);
}

async function refreshFinished() {
  const batch = new Map([...finished].slice(0, 200));
  for (const id of batch.keys()) finished.delete(id);
  refreshing = true;
  try {
    const res = await api.getImages([...batch.keys()]);
    for (const image of res?.images || []) {
      const job = batch.get(image.id);
      showServerImage(image, { addToFolder: job?.target?.folderId || null });
      refreshOpenImage(image);
      const p = image?.headerData?.preview;
      const url = typeof p === 'string' ? p : p?.preview;
      if (typeof url === 'string' && /^(https?:|asset:|data:image\/)/i.test(url)) setUploadPreview(image.id, url, job?.id);
    }
    const failed = res?.failed || [];
    if (failed.length) showError(`${plural(failed.length, 'upload finished', 'uploads finished')} but could not be reloaded.`, failed[0].error);
  } catch (err) {
    showError('Uploads finished but the images could not be reloaded.', err);
  } finally {
    refreshing = false;
    refreshTimer = finished.size ? setTimeout(refreshFinished, REFRESH_EVERY) : 0;
    updateRunning();
  }
}

/** Entry point for everything upload-related: tray, drops, toolbar buttons, grid/detail hooks. */
export function initUploads() {
  on('upload-busy', ({ changed, busy }) => {
    for (const id of changed) {
      const isBusy = busy.has(id);
      if (isBusy) processingImages.add(id); else processingImages.delete(id);
      setCardProcessing(id, isBusy);
      setProcessingLock(id, isBusy);
    }
  });
  $('#add-files').addEventListener('click', addFiles);
  $('#upload-url').addEventListener('click', openUrlDialog);
  $('#url-cancel').addEventListener('click', () => $('#url-dialog').close());
  $('#url-form').addEventListener('submit', submitUrl);
  initTray();
  initDropzone();
}

/** Toolbar target: the open image gets a new version; otherwise new images in the folder. */
function toolbarTarget() {
  if (state.openImage?.id && !state.creating) return { kind: 'version', imageId: state.openImage.id };
  if (state.folderId) return { kind: 'newImage', folderId: state.folderId };
  return null;
}

function describeTarget(target) {
  if (target.kind === 'version') return 'As a new version of the open image.';
  const name = state.folders.find((f) => f.id === target.folderId)?.name || 'this folder';
  return `As new images in ${name}.`;
}

async function addFiles() {
  const target = toolbarTarget();
  if (!target) { showToast('Choose a folder first.'); return; }
  try {
    const picked = await api.pickUploadFiles();
    if (picked?.handle) await enqueueFiles(picked.handle, target);
  } catch (err) { showError('Could not open the file chooser.', err); }
}

function openUrlDialog() {
  const target = toolbarTarget();
  if (!target) { showToast('Choose a folder first.'); return; }
  $('#url-target').textContent = describeTarget(target);
  $('#url-input').value = '';
  $('#url-dialog').dataset.target = JSON.stringify(target);
  $('#url-dialog').showModal();
}

async function submitUrl(e) {
  e.preventDefault();
  const dialog = $('#url-dialog');
  const url = $('#url-input').value.trim();
  if (!url) return;
  let target;
  try { target = JSON.parse(dialog.dataset.target || 'null'); } catch { target = null; }
  if (!target) { dialog.close(); return; }
  try {
    await api.enqueueUrl(url, target);
    dialog.close();
    showToast('Download queued for upload.');
  } catch (err) { showError(describeError(err).title, err); }
}
