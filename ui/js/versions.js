// The detail panel's file actions (Open original, Save as…, Copy image) and Versions list (one
// file per upload: open or save each). Downloads report progress as `working://progress`.
import { h, $, replaceChildren } from './dom.js';
import { api, listen } from './api.js';
import { showToast, showError } from './toast.js';
import { progressText, fileLabel, filesNote, filesNewestFirst } from './working-model.js';

let image = null;     // the open image, or null
let listing = 0;      // the latest files request; older answers are dropped
const running = new Set();  // image ids with a download under way

export function initVersions() {
  $('#version-preview-close').addEventListener('click', () => $('#version-preview-dialog').close());
  $('#version-preview-dialog').addEventListener('close', () => $('#version-preview-image').removeAttribute('src'));
  $('#open-original').addEventListener('click', () => run('open', (img) => api.openOriginal(img.id),
    (copy) => `${copy.fileName} is open in your editor. Save it there to be offered a new version.`));
  $('#open-with').addEventListener('click', () => run('open', (img) => api.openOriginalWith(img.id),
    (copy) => copy && `${copy.fileName} is open in the app you chose. Save it there to be offered a new version.`));
  $('#save-original').addEventListener('click', () => run('save', (img) => api.saveImageFile(img.id, null),
    (saved) => saved && `Saved ${saved.fileName}.`));
  $('#copy-image').addEventListener('click', () => run('copy', (img) => api.copyImage(img.id),
    (copied) => `Copied the picture (${copied.width} × ${copied.height}).`));
  listen('working://progress', (e) => {
    if (e.payload?.imageId === image?.id) $('#file-progress').textContent = progressText(e.payload);
  });
}

/** Shows the actions and files of `img` (null: none, e.g. a new image). */
export function showFiles(img) {
  const another = image?.id !== img?.id;
  image = img;
  $('#detail-file-actions').hidden = !img;
  $('#image-versions').hidden = !img;
  if (another) $('#file-progress').textContent = '';
  setBusy(img && running.has(img.id));
  if (!img) return;
  loadFiles(img);
}

async function loadFiles(img) {
  const ticket = ++listing;
  let answer;
  try {
    answer = await api.imageFilesList(img.id);
  } catch (err) {
    if (ticket !== listing) return;
    replaceChildren($('#version-list'));
    $('#versions-note').hidden = false;
    $('#versions-note').textContent = `The files could not be listed: ${err.message}`;
    return;
  }
  if (ticket !== listing) return;
  const note = filesNote(answer);
  $('#versions-note').hidden = !note;
  $('#versions-note').textContent = note;
  replaceChildren($('#version-list'), filesNewestFirst(answer.files).map((file) => h('li', { class: 'version', dataset: { number: String(file.number), current: String(file.current) } },
    h('span', { class: 'version-label', text: fileLabel(file) }),
    h('span', { class: 'version-name muted', text: file.name }),
    h('span', { class: 'version-actions' },
      h('button', { type: 'button', class: 'button small', dataset: { action: 'preview' }, text: 'Preview',
        attrs: { title: 'Show this version here (made on this computer, also for PSD, TIFF and AI)' },
        on: { click: () => run('view', (i) => api.previewImageFile(i.id, file.number), (shown) => { showPreview(fileLabel(file), shown); return ''; }) } }),
      h('button', { type: 'button', class: 'button small', dataset: { action: 'open' }, text: 'Open',
        attrs: { title: file.current ? 'Open in your editor; saving offers a new version' : 'Open this version to look at it' },
        on: { click: () => (file.current ? $('#open-original').click() : run('view', (i) => api.openImageFile(i.id, file.number), () => `Opened version ${file.number}.`)) } }),
      h('button', { type: 'button', class: 'button small', dataset: { action: 'save' }, text: 'Save as…',
        on: { click: () => run('save', (i) => api.saveImageFile(i.id, file.number), (saved) => saved && `Saved ${saved.fileName}.`) } })))));
}

/** The version preview dialog: the picture made by `preview_image_file`, or nothing. */
function showPreview(label, shown) {
  if (!shown?.url?.startsWith('data:image/')) return;
  $('#version-preview-title').textContent = label;
  const img = $('#version-preview-image');
  img.src = shown.url;
  img.alt = label;
  $('#version-preview-dialog').showModal();
}

function setBusy(on) {
  for (const b of ['#open-original', '#open-with', '#save-original', '#copy-image']) $(b).disabled = Boolean(on);
}

/** Runs one file action for the open image; `done(answer)` is the toast (none when falsy). */
async function run(action, call, done) {
  const img = image;
  if (!img || running.has(img.id)) return;
  running.add(img.id);
  setBusy(true);
  $('#file-progress').textContent = progressText({ action, done: 0, total: null });
  try {
    const message = done(await call(img));
    if (message) showToast(message);
  } catch (err) {
    showError({ open: 'Could not open the original.', save: 'Could not save the file.', copy: 'Could not copy the image.', view: 'Could not open that version.' }[action], err);
  } finally {
    running.delete(img.id);
    if (image?.id === img.id) { setBusy(false); $('#file-progress').textContent = ''; }
  }
}
