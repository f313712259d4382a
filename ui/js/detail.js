// Detail panel: large preview, attribute form, save / revert / delete / create.
import { h, $, replaceChildren } from './dom.js';
import { api } from './api.js';
import { state, imageNumber, imageName, previewUrl } from './state.js';
import { createForm } from './form.js';
import { showToast, showError } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { upsertCard, removeCard, select, cardImage, focusGrid } from './grid.js';
import { uploads } from './uploads-store.js';
import { showAnnotations } from './annotations.js';
import { showFiles } from './versions.js';

let form = null;
let formFields = null;  // the last `image_form` answer, for Revert
let busy = false;
let opening = 0;        // the latest form request; older answers are dropped

export function initDetail() {
  $('#image-form').addEventListener('submit', (e) => { e.preventDefault(); save(); });
  $('#revert').addEventListener('click', revert);
  $('#delete').addEventListener('click', () => deleteOpen());
  $('#detail-close').addEventListener('click', async () => { if (await guardDirty()) { showNothing(); focusGrid(); } });
  showNothing();
}

/** Asks before throwing away edits. Resolves true when it is fine to leave the form. */
export async function guardDirty() {
  if (!state.dirty) return true;
  const what = state.creating ? 'the new image' : imageNumber(state.openImage) || 'this image';
  const ok = await confirmDialog({
    title: 'Discard unsaved changes?',
    message: `Your changes to ${what} have not been saved.`,
    ok: 'Discard changes', cancel: 'Keep editing', danger: true,
  });
  if (ok) setDirty(false);
  return ok;
}

export function showNothing() {
  form = null;
  formFields = null;
  opening += 1;
  showAnnotations(null);
  showFiles(null);
  state.openImage = null;
  state.creating = false;
  setDirty(false);
  $('#detail').classList.add('is-empty');
  $('#detail-body').hidden = true;
  $('#detail-placeholder').hidden = false;
  $('#image-form').replaceChildren();
  applyLock(false);
}

/** The form for `image` (null: a new image in the open folder), as the backend describes it. */
async function fetchForm(image) {
  const ticket = ++opening;
  const folderId = image?.folder?.id ?? state.folderId;
  const fields = await api.imageForm(folderId, image);
  return ticket === opening ? fields : null;
}

export async function showImage(image, { focusForm = false } = {}) {
  const another = state.openImage?.id !== image.id;
  // No typing or saving into the previous image's form while this one's is asked for.
  form = null;
  if (another) $('#image-form').replaceChildren();
  state.openImage = image;
  state.creating = false;
  renderHeader(image);
  if (another) showAnnotations(image);
  showFiles(image);
  let fields;
  try {
    fields = await fetchForm(image);
  } catch (err) {
    showError(`Could not show the attributes of ${imageNumber(image)}.`, err);
    return;
  }
  if (!fields || state.openImage !== image) return;
  formFields = fields;
  form = createForm($('#image-form'), { fields, onDirtyChange: setDirty });
  $('#save').textContent = 'Save';
  $('#delete').hidden = false;
  setDirty(false);
  applyLock(uploads.isBusy(image.id));
  if (focusForm) form.focusFirst();
}

export async function showNew() {
  if (!state.folderId) return;
  if (!(await guardDirty())) return;
  state.openImage = null;
  state.creating = true;
  form = null;
  $('#image-form').replaceChildren();
  select(null);
  renderHeader(null);
  showAnnotations(null);
  showFiles(null);
  let fields;
  try {
    fields = await fetchForm(null);
  } catch (err) {
    showError('Could not show the form for a new image.', err);
    return;
  }
  if (!fields || !state.creating) return;
  formFields = fields;
  form = createForm($('#image-form'), { fields, onDirtyChange: setDirty });
  applyLock(false);
  $('#save').textContent = 'Create image';
  $('#delete').hidden = true;
  setDirty(false);
  form.focusFirst();
}

function renderHeader(image) {
  $('#detail').classList.remove('is-empty');
  $('#detail-placeholder').hidden = true;
  $('#detail-body').hidden = false;
  const url = previewUrl(image);
  const frame = $('#detail-preview-frame');
  const img = h('img', { id: 'detail-preview', class: 'detail-preview', alt: image ? `Preview of ${imageNumber(image)}` : '', decoding: 'async' });
  img.addEventListener('error', () => frame.classList.add('no-preview'));
  if (url) img.src = url;
  frame.classList.toggle('no-preview', !url);
  replaceChildren(frame, img, h('div', { class: 'no-preview-text', text: image ? 'No preview yet' : 'Upload a file after creating the image' }));
  $('#detail-number').textContent = image ? imageNumber(image) : 'New image';
  $('#detail-name').textContent = image ? imageName(image) || 'Untitled' : `in ${state.folders.find((f) => f.id === state.folderId)?.name || 'this folder'}`;
  const meta = [];
  if (image?.modifiedAt) {
    const when = new Date(image.modifiedAt);
    const by = image.modifiedBy?.name;
    if (!Number.isNaN(when.getTime())) meta.push(`Modified ${when.toLocaleString()}${by ? ` by ${by}` : ''}`);
  }
  $('#detail-meta').textContent = meta.join(' · ');
}

/** Upload hook: while the open image is being uploaded/processed its form is read-only. */
export function setProcessingLock(id, on) {
  if (!state.openImage || state.openImage.id !== id) return;
  applyLock(on);
}

function applyLock(on) {
  const formEl = $('#image-form');
  formEl.classList.toggle('is-locked', on);
  for (const el of formEl.elements) el.disabled = on;
  let note = $('#processing-note');
  if (on && !note) {
    note = h('p', { id: 'processing-note', class: 'processing-note', attrs: { role: 'status' }, text: 'A new file is being uploaded and processed; editing is paused until it finishes.' });
    formEl.before(note);
  } else if (!on) note?.remove();
  $('#save').disabled = on || busy || (!state.dirty && !state.creating);
  $('#delete').disabled = on || busy;
}

/** Upload hook: shows the server's fresh copy in the panel (kept when the user has unsaved edits). */
export function refreshOpenImage(image) {
  if (!image || state.openImage?.id !== image.id || state.creating) return;
  if (state.dirty) { renderHeader(image); return; }
  showImage(image);
}

function setDirty(dirty) {
  state.dirty = dirty;
  $('#dirty-marker').hidden = !dirty;
  $('#save').disabled = busy || (!dirty && !state.creating);
  $('#revert').disabled = busy || !dirty;
  $('#detail').classList.toggle('is-dirty', dirty);
}

function setBusy(on) {
  busy = on;
  $('#detail').classList.toggle('is-busy', on);
  $('#delete').disabled = on;
  setDirty(state.dirty);
}

export async function save() {
  if (!form || busy) return;
  if (!state.creating && !form.isDirty()) return;
  if (!form.validate()) {
    showToast('Some fields need attention before saving.', { error: true });
    return;
  }
  setBusy(true);
  try {
    if (state.creating) {
      const created = await api.createImage(state.folderId, form.filledFields());
      busy = false;
      upsertCard(created, { prepend: true });
      select(created.id);
      showImage(created);
      showToast(`Created ${imageNumber(created)}.`);
    } else {
      const changed = form.changedFields();
      const updated = await api.updateImage(state.openImage.id, state.openImage.folder?.id ?? state.folderId, changed);
      state.openImage = updated;
      const fields = await fetchForm(updated);
      if (fields) { formFields = fields; form.load(fields); }
      renderHeader(updated);
      upsertCard(updated);
      showToast(`Saved ${imageNumber(updated)}.`);
    }
  } catch (err) {
    // The edits stay in the form; the server's reason goes to the toast and next to the field.
    form.showServerError(err);
    showError(state.creating ? 'Could not create the image.' : 'Could not save.', err);
  } finally {
    setBusy(false);
  }
}

export function revert() {
  if (!form || !formFields) return;
  form.load(formFields);
}

/** Deletes the open image, or the selected card when nothing is open. */
export async function deleteOpen() {
  const image = state.openImage || (state.selectedId && cardImage(state.selectedId));
  if (!image || busy) return;
  const number = imageNumber(image);
  const name = imageName(image);
  const ok = await confirmDialog({
    title: 'Delete image',
    message: `Delete ${number}${name ? ` “${name}”` : ''}? This cannot be undone.`,
    ok: 'Delete', danger: true,
  });
  if (!ok) return;
  setBusy(true);
  try {
    await api.deleteImage(image.id);
    finishDelete(image, `Deleted ${number}.`);
  } catch (err) {
    if (err?.kind === 'not_found') finishDelete(image, `${number} was already deleted.`);
    else showError(`Could not delete ${number}.`, err);
  } finally {
    setBusy(false);
  }
}

function finishDelete(image, message) {
  const next = removeCard(image.id);
  if (state.openImage?.id === image.id) showNothing();
  if (next) select(next, { focus: true }); else state.selectedId = null;
  showToast(message);
}

export async function openImage(id, opts = {}) {
  if (state.openImage?.id === id && !state.creating) { if (opts.focusForm) form?.focusFirst(); return; }
  if (!(await guardDirty())) { select(state.openImage?.id || null); return; }
  const image = cardImage(id);
  if (image) showImage(image, opts);
}
