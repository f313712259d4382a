// Working copies (Open in editor): the banners offering "Upload as new version" when a copy
// was saved in its editor, and the "Working copies" list (reveal, open again, remove). The
// backend sends the whole list as `working://changed` whenever anything changes.
import { h, $, replaceChildren } from './dom.js';
import { api, listen } from './api.js';
import { showToast, showError } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { stateText, bannerCopies, bannerText } from './working-model.js';

let copies = [];
let notice = null;
/** copy id → {updatedAtMs, banner}: the banner's content for the copy's latest save. */
const banners = new Map();
/** copy ids whose upload the backend held back because the server's file changed. */
const heldBack = new Set();
const pending = new Set();

export function initWorkingCopies() {
  $('#working-copies-button').addEventListener('click', openList);
  $('#working-copies-close').addEventListener('click', () => $('#working-copies-dialog').close());
  listen('working://changed', (e) => apply(e.payload));
  api.workingCopies().then(apply, (err) => showError('Could not list the working copies.', err));
}

function apply(list) {
  copies = list?.copies ?? [];
  notice = list?.notice ?? null;
  $('#working-copies-button').hidden = copies.length === 0 && !notice;
  $('#working-copies-button').textContent = copies.length ? `Working copies (${copies.length})` : 'Working copies';
  renderBanners();
  if ($('#working-copies-dialog').open) renderList();
}

function renderBanners() {
  const shown = bannerCopies(copies);
  for (const id of [...banners.keys()]) if (!shown.some((c) => c.id === id)) { banners.delete(id); heldBack.delete(id); }
  replaceChildren($('#working-banners'), shown.map(bannerFor));
  for (const copy of shown) {
    const known = banners.get(copy.id);
    if (known?.updatedAtMs !== copy.updatedAtMs) loadBanner(copy);
  }
}

async function loadBanner(copy) {
  banners.set(copy.id, { updatedAtMs: copy.updatedAtMs, banner: banners.get(copy.id)?.banner ?? null });
  try {
    const banner = await api.workingCopyBanner(copy.id);
    if (banners.get(copy.id)?.updatedAtMs !== copy.updatedAtMs) return;
    banners.set(copy.id, { updatedAtMs: copy.updatedAtMs, banner });
  } catch (err) {
    if (err?.kind === 'invalid_input') return;  // removed meanwhile
    showError(`Could not show the changes of ${copy.fileName}.`, err);
    return;
  }
  renderBanners();
}

function bannerFor(copy) {
  const banner = banners.get(copy.id)?.banner ?? null;
  const text = bannerText(copy, banner, { serverChanged: heldBack.has(copy.id) });
  const thumb = (cls, url, label) => h('figure', { class: 'banner-thumb' },
    url ? h('img', { class: cls, src: url, alt: label }) : h('div', { class: `${cls} banner-thumb-empty`, text: banner ? 'No preview' : '…' }),
    h('figcaption', { text: label }));
  const busy = pending.has(copy.id);
  return h('div', { class: ['working-banner', text.warn && 'warn'], dataset: { copyId: copy.id }, attrs: { role: 'region', 'aria-label': `Changes to ${copy.fileName}` } },
    thumb('banner-before', banner?.before, 'On BeProduct'),
    thumb('banner-after', banner?.after, 'Your edit'),
    h('div', { class: 'banner-body' },
      h('p', { class: 'banner-title', text: text.title }),
      h('p', { class: 'banner-image muted', text: `${copy.imageNumber}${copy.imageName ? ` · ${copy.imageName}` : ''}` }),
      text.notes.map((n, i) => h('p', { class: ['banner-note', i === 0 && text.warn && 'banner-server-changed'], text: n })),
      h('div', { class: 'banner-actions' },
        h('button', { type: 'button', class: 'button primary small', dataset: { action: 'upload' }, disabled: busy, text: text.uploadLabel, on: { click: () => upload(copy, text.warn) } }),
        h('button', { type: 'button', class: 'button small', dataset: { action: 'decline' }, disabled: busy, text: 'Not now', attrs: { title: 'Keep the edited file on this computer without uploading it' }, on: { click: () => decline(copy) } }))));
}

async function upload(copy, acceptServerChange) {
  pending.add(copy.id);
  renderBanners();
  try {
    const answer = await api.uploadWorkingCopy(copy.id, acceptServerChange);
    if (!answer.queued && answer.serverChanged) {
      heldBack.add(copy.id);
      showToast(`Someone uploaded a newer file to ${copy.imageNumber}; look at the banner before uploading.`, { error: true });
    } else {
      showToast(`${copy.fileName} is uploading as a new version of ${copy.imageNumber}.`);
    }
  } catch (err) {
    showError(`Could not upload ${copy.fileName}.`, err);
  } finally {
    pending.delete(copy.id);
    renderBanners();
  }
}

async function decline(copy) {
  try {
    await api.declineWorkingCopy(copy.id);
    showToast(`${copy.fileName} stays on this computer; it is in Working copies.`);
  } catch (err) {
    showError(`Could not keep ${copy.fileName}.`, err);
  }
}

function openList() {
  renderList();
  const dialog = $('#working-copies-dialog');
  if (!dialog.open) dialog.showModal();
}

function renderList() {
  $('#working-copies-notice').hidden = !notice;
  $('#working-copies-notice').textContent = notice || '';
  $('#working-copies-empty').hidden = copies.length > 0;
  replaceChildren($('#working-copy-list'), copies.map((copy) => h('li', { class: 'working-copy', dataset: { copyId: copy.id, state: copy.state } },
    h('div', { class: 'working-copy-text' },
      h('span', { class: 'working-copy-name', text: copy.fileName }),
      h('span', { class: 'working-copy-image muted', text: `${copy.imageNumber}${copy.imageName ? ` · ${copy.imageName}` : ''}` }),
      h('span', { class: 'working-copy-state', text: stateText(copy) })),
    h('div', { class: 'working-copy-actions' },
      copy.state === 'declined' && h('button', { type: 'button', class: 'button small', dataset: { action: 'upload' }, text: 'Upload…', on: { click: () => upload(copy, false) } }),
      copy.state !== 'missing' && h('button', { type: 'button', class: 'button small', dataset: { action: 'open' }, text: 'Open', on: { click: () => act(api.openWorkingCopy(copy.id), `Could not open ${copy.fileName}.`) } }),
      h('button', { type: 'button', class: 'button small', dataset: { action: 'reveal' }, text: 'Reveal in file manager', on: { click: () => act(api.revealWorkingCopy(copy.id), `Could not show ${copy.fileName}.`) } }),
      h('button', { type: 'button', class: 'button small danger-ghost', dataset: { action: 'remove' }, disabled: copy.state === 'uploading', text: 'Remove', on: { click: () => remove(copy) } })))));
}

async function act(promise, failure) {
  try { await promise; } catch (err) { showError(failure, err); }
}

async function remove(copy) {
  const unsent = copy.state === 'edited' || copy.state === 'declined';
  const ok = await confirmDialog({
    title: 'Remove working copy',
    message: `Delete ${copy.fileName} from this computer?${unsent ? ' Its edits were not uploaded and will be lost.' : ''}`,
    ok: 'Remove', danger: true,
  });
  if (!ok) return;
  await act(api.removeWorkingCopy(copy.id), `Could not remove ${copy.fileName}.`);
}
