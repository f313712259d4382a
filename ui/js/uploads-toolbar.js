// Queueing uploads: files behind a handle (a native drop or "Add files…") and web addresses
// (the URL dialog). The jobs themselves arrive as `upload://event` (uploads-store.js).
import { $, plural } from './dom.js';
import { api, describeError } from './api.js';
import { showError, showToast } from './toast.js';
import { state } from './state.js';
import { newImageTarget, presetFor } from './upload-target.js';
import { openIntake } from './intake.js';

/** Queues the files behind `handle` (a drop, the file dialog or a paste) and reports what was
 * left out; returns the backend's answer (or null on error, or when the folder's intake preview
 * opened instead: it queues the files itself). */
export async function enqueueFiles(handle, target) {
  try {
    if (target?.kind === 'newImage') {
      const preview = await api.planIntake(handle, target);
      if (preview) { openIntake(preview); return null; }
    }
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

/** The toolbar's "Add files…" and "Upload from URL…" buttons and the URL dialog. */
export function initToolbar() {
  $('#add-files').addEventListener('click', addFiles);
  $('#upload-url').addEventListener('click', openUrlDialog);
  $('#url-cancel').addEventListener('click', () => $('#url-dialog').close());
  $('#url-form').addEventListener('submit', submitUrl);
}

/** Toolbar target: the open image gets a new version; otherwise new images in the folder. */
function toolbarTarget() {
  if (state.openImage?.id && !state.creating) return { kind: 'version', imageId: state.openImage.id };
  if (state.folderId) return newImageTarget(state.folderId);
  return null;
}

function describeTarget(target) {
  if (target.kind === 'version') return 'As a new version of the open image.';
  const name = state.folders.find((f) => f.id === target.folderId)?.name || 'this folder';
  const preset = target.fields ? presetFor(target.folderId) : null;
  return preset ? `As new images in ${name}, with the preset “${preset.name}”.` : `As new images in ${name}.`;
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
