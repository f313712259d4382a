// The image grid: pages loaded on demand as the sentinel scrolls into view, cards appended
// (never re-rendered), stale responses dropped by a generation number, keyboard navigation.
import { h, $, replaceChildren, plural } from './dom.js';
import { api } from './api.js';
import { state, imageNumber, imageName, previewUrl } from './state.js';
import { describeError } from './api.js';
import { uploads } from './uploads-store.js';

const PAGE_SIZE = 60;

const cards = new Map();   // id → {el, image}
let generation = 0;
let nextPage = 0;
let total = 0;
let loading = false;
let exhausted = true;
let lastError = null;
let handlers = { onOpen: () => {}, onEmptyAction: () => {} };
// New images from uploads that are still running wait here instead of shifting every visible
// card (and repainting the whole grid) several times a second; the pill shows them on demand
// and they all go in at once when the uploads finish.
const heldNew = new Map();   // id → image, in arrival order
let holdNew = false;
let replaceOnFirstPage = false;  // a soft reload keeps the old cards until the new page is in

const grid = () => $('#grid');
const scroller = () => $('#grid-scroller');

export function initGrid(opts) {
  handlers = { ...handlers, ...opts };
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { root: scroller(), rootMargin: '800px 0px' });
  observer.observe($('#grid-sentinel'));

  grid().addEventListener('click', (e) => {
    const card = e.target.closest('.card');
    if (card) { select(card.dataset.imageId, { focus: true }); handlers.onOpen(card.dataset.imageId); }
  });
  grid().addEventListener('keydown', onKeyDown);
  $('#new-images').addEventListener('click', () => { showHeldImages({ force: true }); scroller().scrollTop = 0; });
}

/** Starts a fresh result set for the current folder and query; `soft` keeps the cards on
 * screen (no skeletons) until the first page replaces them. */
export function reloadGrid({ soft = false } = {}) {
  generation += 1;
  cards.clear();
  nextPage = 0;
  total = 0;
  exhausted = false;
  loading = false;
  lastError = null;
  heldNew.clear();  // the fresh listing includes them
  renderHeldPill();
  replaceOnFirstPage = soft;
  if (!soft) grid().replaceChildren(...skeletons(12));
  $('#grid-empty').hidden = true;
  setCount(null);
  scroller().scrollTop = 0;
  if (!state.folderId) { exhausted = true; grid().replaceChildren(); renderEmpty(); return; }
  loadMore();
}

async function loadMore() {
  if (loading || exhausted || !state.folderId) return;
  loading = true;
  const gen = generation;
  const page = nextPage;
  if (page > 0) grid().append(...skeletons(6));
  try {
    const res = await api.listImages({
      folderId: state.folderId, quick: state.query.quick.trim() || null,
      filters: state.query.filters, pageSize: PAGE_SIZE, pageNumber: page,
    });
    if (gen !== generation) return;  // the query changed while this page was on its way
    removeSkeletons();
    total = Number(res?.total) || 0;
    const items = Array.isArray(res?.result) ? res.result : [];
    const fresh = items.filter((img) => img?.id && !cards.has(img.id)).map((img) => {
      const el = cardElement(img);
      cards.set(img.id, { el, image: img });
      return el;
    });
    if (page === 0 && replaceOnFirstPage) grid().replaceChildren(...fresh); else grid().append(...fresh);
    replaceOnFirstPage = false;
    nextPage = page + 1;
    exhausted = items.length === 0 || nextPage * PAGE_SIZE >= total;
    setCount(total);
    if (!grid().querySelector('[tabindex="0"]')) grid().firstElementChild?.setAttribute('tabindex', '0');
    if (page === 0) markPainted('bp:grid-painted');
  } catch (err) {
    if (gen !== generation) return;
    removeSkeletons();
    if (replaceOnFirstPage) { grid().replaceChildren(); replaceOnFirstPage = false; }  // no stale cards
    lastError = err;
    exhausted = true;
    setCount(null, true);
  } finally {
    if (gen === generation) {
      loading = false;
      renderEmpty();
      if (!exhausted) requestAnimationFrame(() => { if (sentinelNear()) loadMore(); });
    }
  }
}

/** A User Timing mark once the frame showing the page has been painted (two frames later), so
 * benchmarks (benches/app_bench.py) can measure start-up to the first grid without guessing. */
function markPainted(name) {
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark(name)));
}

function sentinelNear() {
  const s = $('#grid-sentinel').getBoundingClientRect();
  const r = scroller().getBoundingClientRect();
  return s.top < r.bottom + 800;
}

function skeletons(n) {
  return Array.from({ length: n }, () => h('div', { class: 'card skeleton', attrs: { 'aria-hidden': 'true' } },
    h('div', { class: 'card-thumb' }), h('div', { class: 'card-meta' }, h('div', { class: 'sk-line' }), h('div', { class: 'sk-line short' }))));
}

function removeSkeletons() {
  grid().querySelectorAll('.skeleton').forEach((el) => el.remove());
}

function cardElement(image) {
  const img = h('img', { class: 'card-preview', alt: '', loading: 'lazy', decoding: 'async', draggable: false });
  img.addEventListener('error', () => img.classList.add('is-broken'));
  const el = h('div', {
    class: ['card', image.id === state.selectedId ? 'selected' : ''],
    dataset: { imageId: image.id },
    tabIndex: -1,
    attrs: { role: 'option', 'aria-selected': image.id === state.selectedId ? 'true' : 'false' },
  }, h('div', { class: 'card-thumb' }, img), h('div', { class: 'card-meta' },
    h('div', { class: 'card-number' }), h('div', { class: 'card-name' })));
  fillCard(el, image);
  if (uploads.isBusy(image.id)) el.classList.add('processing');
  return el;
}

function fillCard(el, image) {
  const number = imageNumber(image);
  const name = imageName(image);
  el.querySelector('.card-number').textContent = number || '—';
  el.querySelector('.card-name').textContent = name || 'Untitled';
  el.title = name ? `${number} — ${name}` : number;
  el.setAttribute('aria-label', el.title || 'Image');
  const img = el.querySelector('img.card-preview');
  const url = previewUrl(image);
  img.classList.toggle('is-empty', !url);
  img.classList.remove('is-broken');
  if (url) { if (img.getAttribute('src') !== url) img.src = url; } else img.removeAttribute('src');
}

/** Adds or refreshes a card (a new image goes first) without touching the others. */
export function upsertCard(image, { prepend = false } = {}) {
  const known = cards.get(image.id);
  if (known) { known.image = image; fillCard(known.el, image); return; }
  const el = cardElement(image);
  cards.set(image.id, { el, image });
  if (prepend) grid().prepend(el); else grid().append(el);
  total += 1;
  setCount(total);
  renderEmpty();
}

export function removeCard(id) {
  const known = cards.get(id);
  if (!known) return;
  const next = known.el.nextElementSibling?.matches('.card:not(.skeleton)') ? known.el.nextElementSibling : known.el.previousElementSibling;
  known.el.remove();
  cards.delete(id);
  total = Math.max(0, total - 1);
  setCount(total);
  renderEmpty();
  return next?.dataset?.imageId || null;
}

/** Upload hook: shows or hides the "processing" badge on an image's card. */
export function setCardProcessing(id, on) {
  const known = cards.get(id);
  if (known) known.el.classList.toggle('processing', on);
}

/** Upload hook: shows an image re-read after processing. A known card is refreshed in place; a
 * new image in the shown folder (`addToFolder`) goes first, or waits behind the pill while
 * uploads are running and the grid already shows cards. */
export function showServerImage(image, { addToFolder = null } = {}) {
  const id = image?.id;
  if (!id) return;
  if (cards.has(id)) { upsertCard(image); return; }
  if (!addToFolder || addToFolder !== state.folderId) return;
  if (holdNew && cards.size > 0) {
    heldNew.set(id, image);
    renderHeldPill();
  } else {
    upsertCard(image, { prepend: true });
  }
}

/** Upload hook: whether uploads are running; when they stop, held images are shown. */
export function setUploadsRunning(running) {
  holdNew = running;
  if (!running) showHeldImages();
}

function showHeldImages({ force = false } = {}) {
  if (!heldNew.size) return;
  if (heldNew.size > PAGE_SIZE) {
    // Building a thousand cards at once stalls the page: the server's first page shows the
    // newest. Only when asked, or when the top of the grid is on screen (no scroll position lost).
    if (force || scroller().scrollTop < 40) reloadGrid({ soft: true });
    return;
  }
  const held = [...heldNew.values()];
  heldNew.clear();
  renderHeldPill();
  for (const image of held) upsertCard(image, { prepend: true });  // in arrival order: newest ends first
}

function renderHeldPill() {
  const pill = $('#new-images');
  pill.hidden = heldNew.size === 0;
  if (heldNew.size) pill.textContent = `${plural(heldNew.size, 'new image', 'new images')} · Show`;
}

export function cardImage(id) { return cards.get(id)?.image || null; }

export function select(id, { focus = false } = {}) {
  const prev = state.selectedId && cards.get(state.selectedId);
  if (prev) { prev.el.classList.remove('selected'); prev.el.setAttribute('aria-selected', 'false'); }
  state.selectedId = id;
  const cur = id && cards.get(id);
  if (!cur) return;
  cur.el.classList.add('selected');
  cur.el.setAttribute('aria-selected', 'true');
  grid().querySelectorAll('.card[tabindex="0"]').forEach((c) => c.setAttribute('tabindex', '-1'));
  cur.el.setAttribute('tabindex', '0');
  cur.el.scrollIntoView({ block: 'nearest' });
  if (focus) cur.el.focus({ preventScroll: true });
}

function columns() {
  const list = grid().querySelectorAll('.card:not(.skeleton)');
  if (list.length < 2) return 1;
  const top = list[0].offsetTop;
  let n = 0;
  for (const c of list) { if (c.offsetTop !== top) break; n += 1; }
  return Math.max(1, n);
}

function onKeyDown(e) {
  const card = e.target.closest('.card');
  if (!card) return;
  const list = [...grid().querySelectorAll('.card:not(.skeleton)')];
  const i = list.indexOf(card);
  const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns(), ArrowUp: -columns(), Home: -Infinity, End: Infinity }[e.key];
  if (step !== undefined) {
    e.preventDefault();
    const j = Math.min(list.length - 1, Math.max(0, i + step));
    select(list[j].dataset.imageId, { focus: true });
    if (j >= list.length - columns() * 2) loadMore();
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    select(card.dataset.imageId, { focus: true });
    handlers.onOpen(card.dataset.imageId, { focusForm: e.key === 'Enter' });
  }
}

export function focusGrid() {
  const target = (state.selectedId && cards.get(state.selectedId)?.el) || grid().querySelector('.card:not(.skeleton)');
  target?.focus();
}

function setCount(n, failed = false) {
  const el = $('#match-count');
  el.classList.toggle('loading', n === null && !failed);
  el.textContent = failed ? '' : n === null ? 'Loading…' : plural(n, 'image', 'images');
}

function renderEmpty() {
  const box = $('#grid-empty');
  const hasCards = cards.size > 0 || loading;
  if (hasCards && !lastError) { box.hidden = true; return; }
  box.hidden = false;
  if (lastError) {
    const d = describeError(lastError);
    const details = h('pre', { class: 'toast-details', hidden: true, text: `kind: ${d.kind}${d.detail ? `\ndetail: ${typeof d.detail === 'string' ? d.detail : JSON.stringify(d.detail)}` : ''}` });
    replaceChildren(box, h('div', { class: 'empty-icon error', attrs: { 'aria-hidden': 'true' } }),
      h('h2', { text: 'Could not load images' }), h('p', { text: [d.title, d.message].filter(Boolean).join(' ') }),
      h('div', { class: 'empty-actions' },
        h('button', { type: 'button', class: 'button primary', text: 'Try again', on: { click: reloadGrid } }),
        h('button', { type: 'button', class: 'button', text: 'Details', on: { click: () => { details.hidden = !details.hidden; } } })),
      details);
    return;
  }
  if (!state.folderId) {
    replaceChildren(box, h('div', { class: 'empty-icon', attrs: { 'aria-hidden': 'true' } }), h('h2', { text: 'Choose a folder' }),
      h('p', { text: state.folders.length ? 'Pick a folder on the left to see its images.' : 'There are no image folders in this account.' }));
    return;
  }
  const searching = state.query.quick.trim() || state.query.filters.length;
  if (searching) {
    const what = state.query.quick.trim() ? `“${state.query.quick.trim()}”` : 'these filters';
    replaceChildren(box, h('div', { class: 'empty-icon search', attrs: { 'aria-hidden': 'true' } }),
      h('h2', { text: `No images match ${what}` }),
      h('p', { text: 'Try a shorter search or remove a filter.' }),
      h('div', { class: 'empty-actions' }, h('button', { type: 'button', class: 'button', text: 'Clear search', on: { click: () => handlers.onEmptyAction('clear') } })));
  } else {
    replaceChildren(box, h('div', { class: 'empty-icon', attrs: { 'aria-hidden': 'true' } }),
      h('h2', { text: 'This folder is empty' }),
      h('p', { text: 'Create the first image to start filling it.' }),
      h('div', { class: 'empty-actions' }, h('button', { type: 'button', class: 'button primary', text: 'New image', on: { click: () => handlers.onEmptyAction('new') } })));
  }
}
