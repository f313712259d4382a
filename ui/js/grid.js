// The image grid, windowed: the listing is a sparse list of ids as long as the search's total,
// the grid is as tall as all its rows (so the scrollbar tells the truth), and only the cards of
// the rows near the viewport are in the DOM, absolutely placed (grid-window.js does the math).
// Pages of 60 are asked for the rows near the viewport (a jump to the middle loads the middle);
// stale responses are dropped by a generation number; cards leaving the window are recycled.
// Selection (selection.js) is drawn on the cards; keyboard navigation moves over the whole
// list, scrolling in rows that are not in the DOM yet.
import { h, $, replaceChildren, plural } from './dom.js';
import { api, describeError } from './api.js';
import { state, imageNumber, imageName, previewUrl } from './state.js';
import { uploads } from './uploads-store.js';
import { localPreview } from './local-previews.js';
import { showError } from './toast.js';
import {
  columnLayout, contentHeight, cellPosition, visibleRange, neededPages, stepIndex, scrollToReveal,
} from './grid-window.js';
import {
  selection, isSelected, selectedCount, selectOne, toggleSelected, selectRange, selectAll, clearSelection,
  forgetSelected, setSelectionTotal,
} from './selection.js';

const PAGE_SIZE = 60;
const OVERSCAN_ROWS = 3;      // rows kept in the DOM above and below the viewport
const MAX_INFLIGHT = 2;       // pages asked for at once (a fling past 100 pages asks for few)
const MIN_CARD = 150;         // as .grid's minmax(150px, 1fr)
const GAP = 12;               // as .grid's gap
const FIRST_SKELETONS = 12;   // shown while the first page of a fresh listing is on its way
const RETRY_FAILED_MS = 4000; // a page that failed is asked for again after this, if still in view

// ---- the listing --------------------------------------------------------------------------
let list = [];                  // image ids in grid order; a hole = not loaded yet
const images = new Map();       // id → image (every id in `list`)
let generation = 0;             // a new listing (folder, search, reload) drops older answers
let mutations = 0;              // local inserts/removals shift indices: answers asked before are placed no more
const inflight = new Set();     // pages on their way
const fruitless = new Set();    // pages whose answer could not fill their holes (the server moved): not asked again
const failedAt = new Map();     // page → when it failed
let firstPage = null;           // the page opening the listing while it is on its way, else null
let replaceOnFirstPage = false; // a soft reload keeps the old cards until the new page is in
let lastError = null;           // the first page failed
let toldLoadError = false;
let pendingFocus = null;        // {index, how} a key moved to a card not loaded yet

let handlers = { onOpen: () => {}, onEmptyAction: () => {} };
// New images from uploads that are still running wait here instead of shifting every visible
// card several times a second; the pill shows them on demand and they all go in at once when
// the uploads finish.
const heldNew = new Map();   // id → image, in arrival order
let holdNew = false;

// ---- the window ---------------------------------------------------------------------------
let layout = { cols: 1, cardWidth: MIN_CARD, pitch: MIN_CARD + 50 + GAP, cardHeight: MIN_CARD + 50, offset: 0, width: -1 };
let extra = 50;                       // card height minus card width (the text under the square thumb)
let measured = false;                 // `extra` read from a real card of this listing
const rendered = new Map();           // key (image id, or '#index' for a skeleton) → element
const pool = [];                      // detached real cards, reused for the next ones
const skeletonPool = [];
let lastWindow = '';                  // the last window drawn (start:end:count:layout)
let frame = 0;

const grid = () => $('#grid');
const scroller = () => $('#grid-scroller');

export function initGrid(opts) {
  handlers = { ...handlers, ...opts };
  const g = grid();
  g.classList.add('windowed');
  g.setAttribute('aria-multiselectable', 'true');
  scroller().addEventListener('scroll', scheduleRender, { passive: true });
  // The scroller's size, and the grid's width (a scrollbar coming or going) set the columns.
  const resized = new ResizeObserver(() => { relayout(); scheduleRender(); });
  resized.observe(scroller());
  resized.observe(g);
  g.addEventListener('click', onClick);
  g.addEventListener('keydown', onKeyDown);
  $('#new-images').addEventListener('click', () => { showHeldImages({ force: true }); scroller().scrollTop = 0; });
  selection.subscribe(paintSelection);
}

/** Starts a fresh result set for the current folder and query. `soft` keeps the cards on
 * screen (no skeletons) and the scroll position until the new listing replaces them. */
export function reloadGrid({ soft = false } = {}) {
  generation += 1;
  inflight.clear();
  fruitless.clear();
  failedAt.clear();
  lastError = null;
  toldLoadError = false;
  pendingFocus = null;
  heldNew.clear();  // the fresh listing includes them
  renderHeldPill();
  $('#grid-empty').hidden = true;
  setCount(null);
  if (!state.folderId) {
    replaceOnFirstPage = false;
    firstPage = null;
    resetListing(0);
    render(true);
    renderEmpty();
    return;
  }
  replaceOnFirstPage = soft && list.length > 0;
  let page = 0;
  if (replaceOnFirstPage) {
    const { start } = currentRange(0);
    page = Math.floor(start / PAGE_SIZE);
  } else {
    resetListing(0);
    scroller().scrollTop = 0;
  }
  firstPage = page;
  render(true);
  loadPage(page);
}

function resetListing(length) {
  list = new Array(length);
  images.clear();
  mutations += 1;
  measured = false;
}

// ---- loading pages ------------------------------------------------------------------------

async function loadPage(page) {
  const gen = generation;
  const seen = mutations;
  inflight.add(page);
  let res;
  try {
    res = await api.listImages({
      folderId: state.folderId, quick: state.query.quick.trim() || null,
      filters: state.query.filters, pageSize: PAGE_SIZE, pageNumber: page,
    });
  } catch (err) {
    if (gen !== generation) return;
    inflight.delete(page);
    pageFailed(page, err);
    return;
  }
  if (gen !== generation) return;  // the query changed while this page was on its way
  inflight.delete(page);
  const total = Math.max(0, Number(res?.total) || 0);
  const items = (Array.isArray(res?.result) ? res.result : []).filter((img) => img?.id);
  failedAt.delete(page);
  if (firstPage === page) {
    // The page opening the listing: it sets the total (and replaces the old cards of a soft reload).
    firstPage = null;
    replaceOnFirstPage = false;
    resetListing(total);
    place(page * PAGE_SIZE, items);
    markPainted('bp:grid-painted');
  } else if (seen === mutations) {
    // Images held behind the pill are first in the server's listing but not in ours yet.
    const shift = heldNew.size;
    const local = Math.max(0, total - shift);
    if (local !== list.length) { list.length = local; dropUnlisted(); }
    if (!place(page * PAGE_SIZE - shift, items)) fruitless.add(page);
  }
  // else: cards were added or removed while it was on its way; its indices are off, ask again.
  setCount(list.length);
  setSelectionTotal(list.length);
  renderEmpty();
  render(true);
  applyPendingFocus();
}

/** Puts a page's images in their places from index `base` on; false when none of its holes
 * could be filled (the listing moved under us: asking again would not help). */
function place(base, items) {
  let filled = 0;
  let holes = 0;
  items.forEach((image, j) => {
    const i = base + j;
    if (i < 0) return;
    if (i >= list.length) list.length = i + 1;
    const there = list[i];
    if (there === image.id) { images.set(image.id, image); refreshCard(image); return; }
    if (there === undefined) holes += 1;
    if (images.has(image.id)) return;  // shown elsewhere already (the listing moved under us)
    if (there !== undefined) images.delete(there);
    list[i] = image.id;
    images.set(image.id, image);
    filled += 1;
  });
  return filled > 0 || holes === 0;
}

/** After the list was cut short: images no longer in it are forgotten. */
function dropUnlisted() {
  const kept = new Set(list);
  for (const id of [...images.keys()]) if (!kept.has(id)) images.delete(id);
}

function pageFailed(page, err) {
  if (firstPage === page) {
    firstPage = null;
    if (replaceOnFirstPage) { replaceOnFirstPage = false; resetListing(0); }  // no stale cards
    lastError = err;
    setCount(null, true);
    render(true);
    renderEmpty();
    return;
  }
  failedAt.set(page, Date.now());
  if (!toldLoadError) { toldLoadError = true; showError('Could not load more images.', err); }
  setTimeout(() => render(true), RETRY_FAILED_MS + 50);
}

/** Asks for the pages the window needs (nearest the viewport first), a few at a time. */
function ensurePages(range) {
  if (firstPage !== null || !state.folderId || lastError) return;
  const now = Date.now();
  const blocked = new Set(fruitless);
  for (const [p, at] of failedAt) if (now - at < RETRY_FAILED_MS) blocked.add(p);
  // Pages count in the server's listing, which has the held new images first.
  const shift = heldNew.size;
  const pages = neededPages({
    start: range.start + shift, end: range.end + shift, pageSize: PAGE_SIZE,
    isLoaded: (i) => list[i - shift] !== undefined, inflight, blocked,
    focus: (pendingFocus?.index ?? range.focus) + shift,
  });
  for (const p of pages) {
    if (inflight.size >= MAX_INFLIGHT) break;
    loadPage(p);
  }
}

/** A User Timing mark once the frame showing the page has been painted (two frames later), so
 * benchmarks (benches/app_bench.py) can measure start-up to the first grid without guessing. */
function markPainted(name) {
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark(name)));
}

// ---- drawing the window ---------------------------------------------------------------------

function scheduleRender() {
  if (frame) return;
  frame = requestAnimationFrame(() => { frame = 0; render(false); });
}

/** Column count, card size and where the grid starts, from the grid's current width; true
 * when the width changed. */
function relayout() {
  const g = grid();
  const width = g.clientWidth;
  const offset = g.offsetTop;
  if (!width) return false;
  const changed = width !== layout.width;
  const { cols, cardWidth } = columnLayout(width, { minCard: MIN_CARD, gap: GAP });
  const cardHeight = cardWidth + extra;  // a square thumb (the card's width) and the text lines
  layout = { cols, cardWidth, width, cardHeight, pitch: cardHeight + GAP, offset };
  return changed;
}

/** Cards in the listing, or the first skeletons while a fresh one is on its way. */
function shownCount() {
  if (firstPage !== null && !replaceOnFirstPage && list.length === 0) return FIRST_SKELETONS;
  return list.length;
}

function currentRange(overscan = OVERSCAN_ROWS) {
  const s = scroller();
  const range = visibleRange({
    scrollTop: s.scrollTop, viewport: s.clientHeight, offset: layout.offset,
    pitch: layout.pitch, cols: layout.cols, total: shownCount(), overscan,
  });
  const inView = visibleRange({
    scrollTop: s.scrollTop, viewport: s.clientHeight, offset: layout.offset,
    pitch: layout.pitch, cols: layout.cols, total: shownCount(), overscan: 0,
  });
  return { ...range, focus: Math.floor((inView.start + inView.end) / 2) };
}

/** Puts in the DOM exactly the cards of the rows near the viewport (plus the card with the
 * keyboard focus, wherever it is), reusing the elements already there. `force`: redraw even
 * when the window did not move (the listing or the layout changed). */
function render(force) {
  const g = grid();
  const count = shownCount();
  if (layout.width < 0 || force) {
    setHeight(g, count);  // first: a scrollbar coming or going changes the width
    relayout();
  }
  setHeight(g, count);
  const range = currentRange();
  const key = `${range.start}:${range.end}:${count}:${layout.cols}:${layout.pitch}:${layout.cardWidth}`;
  if (!force && key === lastWindow) return;
  lastWindow = key;

  const skeletonsOnly = firstPage !== null && !replaceOnFirstPage && list.length === 0;
  const shift = heldNew.size;
  const want = [];   // [key, index, id|null] in grid order
  for (let i = range.start; i < range.end; i += 1) {
    const id = skeletonsOnly ? undefined : list[i];
    if (id) want.push([id, i, id]);
    else if (!fruitless.has(Math.floor((i + shift) / PAGE_SIZE))) want.push([`#${i}`, i, null]);
  }
  // The current card, and the card with the focus, stay in the DOM when they scroll away: they
  // hold the tab stop and the focus.
  const current = state.selectedId;
  const focused = document.activeElement?.closest?.('#grid .card[data-image-id]')?.dataset.imageId;
  for (const pin of new Set([current, focused])) {
    if (!pin || !images.has(pin) || want.some((w) => w[2] === pin)) continue;
    const i = list.indexOf(pin);
    if (i < 0) continue;
    const at = want.findIndex((w) => w[1] > i);
    want.splice(at < 0 ? want.length : at, 0, [pin, i, pin]);
  }
  const wanted = new Set(want.map((w) => w[0]));
  for (const [k, el] of rendered) {
    if (wanted.has(k)) continue;
    rendered.delete(k);
    el.remove();
    if (el.classList.contains('skeleton')) skeletonPool.push(el); else pool.push(el);
  }
  // One tab stop (roving tabindex): the current card, else the first card drawn.
  const tabKey = (current && wanted.has(current)) ? current : want.find((w) => w[2])?.[0];
  let cursor = g.firstElementChild;
  for (const [k, index, id] of want) {
    let el = rendered.get(k);
    if (!el) {
      el = id ? takeCard(images.get(id)) : takeSkeleton();
      rendered.set(k, el);
    } else if (id && el._image !== images.get(id)) {
      fillCard(el, images.get(id));  // a fresh copy (a soft reload, a page asked again)
    }
    position(el, index);
    if (id) {
      setTab(el, k === tabKey ? 0 : -1);
      // Screen readers hear "image 5,001 of 10,000" although most options are not in the DOM.
      setAttr(el, 'aria-posinset', index + 1);
      setAttr(el, 'aria-setsize', list.length);
    }
    if (el === cursor) cursor = cursor.nextElementSibling;
    else g.insertBefore(el, cursor);
  }
  // Stray children (a soft reload's old nodes) go.
  while (cursor) { const next = cursor.nextElementSibling; cursor.remove(); cursor = next; }
  if (!measured) measure();
  ensurePages(range);
}

function setHeight(g, count) {
  const height = `${contentHeight(count, layout.cols, layout.pitch, GAP)}px`;
  if (g.style.height !== height) g.style.height = height;
}

function setAttr(el, name, value) {
  const v = String(value);
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

function setTab(el, n) {
  if (el.tabIndex !== n) el.tabIndex = n;
}

function position(el, index) {
  const { top, left } = cellPosition(index, { cols: layout.cols, cardWidth: layout.cardWidth, pitch: layout.pitch, gap: GAP });
  const pos = `${top}|${left}|${layout.cardWidth}|${layout.cardHeight}`;
  if (el._pos === pos) return;
  el._pos = pos;
  el.style.top = `${top}px`;
  el.style.left = `${left}px`;
  el.style.width = `${layout.cardWidth}px`;
  el.style.height = `${layout.cardHeight}px`;
  el.dataset.index = String(index);
}

/** The real height of a card at this width (the meta lines depend on fonts): read once from a
 * card laid out with its natural height, then every card gets it. */
function measure() {
  const el = [...rendered.values()].find((c) => !c.classList.contains('skeleton') && c.isConnected);
  if (!el) return;
  const saved = el.style.height;
  el.style.height = '';
  const height = el.getBoundingClientRect().height;
  const width = el.getBoundingClientRect().width;
  el.style.height = saved;
  if (!(height > 0) || !(width > 0)) return;
  measured = true;
  const next = height - width;
  if (Math.abs(next - extra) < 0.5) return;
  extra = next;
  relayout();
  render(true);
}

function takeSkeleton() {
  return skeletonPool.pop() || h('div', { class: 'card skeleton', attrs: { 'aria-hidden': 'true' } },
    h('div', { class: 'card-thumb' }), h('div', { class: 'card-meta' }, h('div', { class: 'sk-line' }), h('div', { class: 'sk-line short' })));
}

function previewImg() {
  const img = h('img', { class: 'card-preview', alt: '', loading: 'lazy', decoding: 'async', draggable: false });
  img.addEventListener('error', () => img.classList.add('is-broken'));
  return img;
}

/** A card for `image`: a recycled one (from a card that left the window) or a new one. */
function takeCard(image) {
  let el = pool.pop();
  if (el) {
    // A recycled <img> would show the previous image's picture until the new one loads.
    const old = el.querySelector('img.card-preview');
    if (old.getAttribute('src') && old.getAttribute('src') !== previewUrl(image)) old.replaceWith(previewImg());
  } else {
    el = h('div', { class: 'card', tabIndex: -1, attrs: { role: 'option' } },
      h('div', { class: 'card-thumb' }, previewImg()), h('div', { class: 'card-meta' },
        // The space keeps the two lines two words in the card's text (its name from content).
        h('div', { class: 'card-number' }), ' ', h('div', { class: 'card-name' })));
  }
  el.dataset.imageId = image.id;
  fillCard(el, image);
  const busy = uploads.isBusy(image.id);
  el.classList.toggle('processing', busy);
  if (busy) showLocalPreview(el, image.id);
  paintCard(el, image.id, selection.get());
  return el;
}

function fillCard(el, image) {
  el._image = image;
  const number = imageNumber(image);
  const name = imageName(image);
  el.querySelector('.card-number').textContent = number || '—';
  el.querySelector('.card-name').textContent = name || 'Untitled';
  el.title = name ? `${number} — ${name}` : number;
  el.setAttribute('aria-label', el.title || 'Image');
  const img = el.querySelector('img.card-preview');
  const url = previewUrl(image);
  const local = img.classList.contains('is-local') && uploads.isBusy(image.id);
  img.classList.toggle('is-empty', !url && !local);
  img.classList.remove('is-broken');
  if (url) {
    img.classList.remove('is-local');
    img.removeAttribute('title');
    if (img.getAttribute('src') !== url) img.src = url;
  } else if (!local) {
    img.classList.remove('is-local');
    img.removeAttribute('src');
  }
}

function refreshCard(image) {
  const el = rendered.get(image.id);
  if (el) fillCard(el, image);
}

function paintCard(el, id, sel) {
  const on = isSelected(id, sel);
  if (el.classList.contains('selected') !== on) el.classList.toggle('selected', on);
  const aria = on ? 'true' : 'false';
  if (el.getAttribute('aria-selected') !== aria) el.setAttribute('aria-selected', aria);
}

function paintSelection(sel) {
  for (const [k, el] of rendered) if (!k.startsWith('#')) paintCard(el, k, sel);
}

// ---- the listing changed here (uploads, create, delete) -------------------------------------

/** Adds or refreshes a card (a new image goes first) without touching the others. */
export function upsertCard(image, { prepend = false } = {}) {
  if (!image?.id) return;
  if (images.has(image.id)) { images.set(image.id, image); refreshCard(image); return; }
  if (firstPage !== null && list.length === 0 && !replaceOnFirstPage) {
    // The listing is on its way and will include it.
    return;
  }
  images.set(image.id, image);
  if (prepend) list.unshift(image.id); else list.push(image.id);
  mutations += 1;
  setCount(list.length);
  setSelectionTotal(list.length);
  renderEmpty();
  render(true);
}

/** Takes a card out; returns the id of the card that takes its place (next, else previous). */
export function removeCard(id) {
  if (!images.has(id)) return null;
  const i = list.indexOf(id);
  images.delete(id);
  forgetSelected(id);
  if (i < 0) return null;
  list.splice(i, 1);
  mutations += 1;
  const el = rendered.get(id);
  if (el) { rendered.delete(id); el.remove(); pool.push(el); }
  setCount(list.length);
  renderEmpty();
  render(true);
  return list[i] ?? list[i - 1] ?? null;
}

/** Upload hook: shows or hides the "processing" badge on an image's card. */
export function setCardProcessing(id, on) {
  const el = rendered.get(id);
  el?.classList.toggle('processing', on);
  if (el && on) showLocalPreview(el, id);
}

/** A busy card without a server preview shows the one made locally from its upload's file. */
function showLocalPreview(el, id) {
  const img = el.querySelector('img.card-preview');
  const jobId = uploads.busyJobOf(id);
  if (!img || img.getAttribute('src') || !jobId) return;
  localPreview(jobId).then((res) => {
    if (!res.url || el.dataset.imageId !== id || img.getAttribute('src')) return;
    img.src = res.url;
    img.classList.remove('is-empty');
    img.classList.add('is-local');
    img.title = 'Preview made on this computer while BeProduct processes the file';
  });
}

/** Upload hook: shows an image re-read after processing. A known card is refreshed in place; a
 * new image in the shown folder (`addToFolder`) goes first, or waits behind the pill while
 * uploads are running and the grid already shows cards. */
export function showServerImage(image, { addToFolder = null } = {}) {
  const id = image?.id;
  if (!id) return;
  if (images.has(id)) { upsertCard(image); return; }
  if (!addToFolder || addToFolder !== state.folderId) return;
  if (holdNew && list.length > 0) {
    if (heldNew.has(id)) { heldNew.set(id, image); return; }
    heldNew.set(id, image);
    mutations += 1;  // the server's pages moved by one against ours
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
    // The server's first page shows the newest: a fresh listing instead of a thousand inserts.
    // Only when asked, or when the top of the grid is on screen (no scroll position lost).
    if (force || scroller().scrollTop < 40) reloadGrid({ soft: true });
    return;
  }
  const held = [...heldNew.values()];
  heldNew.clear();
  mutations += 1;
  renderHeldPill();
  for (const image of held) upsertCard(image, { prepend: true });  // in arrival order: newest ends first
}

function renderHeldPill() {
  const pill = $('#new-images');
  pill.hidden = heldNew.size === 0;
  if (heldNew.size) pill.textContent = `${plural(heldNew.size, 'new image', 'new images')} · Show`;
}

// ---- reading the grid -----------------------------------------------------------------------

/** The image behind a card (loaded, whether or not its card is in the DOM), or null. */
export function cardImage(id) { return images.get(id) || null; }

/** The ids in grid order as far as they are loaded (holes: `undefined`). A copy. */
export function loadedOrder() { return list.slice(); }

/** The listing's total (what the count shows). */
export function gridTotal() { return list.length; }

// ---- current card, selection, keys ----------------------------------------------------------

/** Makes `id` the current card and the only selected one (a plain click without opening);
 * null: no current card, nothing selected. `focus` moves the keyboard focus to it. */
export function select(id, { focus = false } = {}) {
  selectOne(id || null);
  setCurrent(id || null, { focus });
}

/** The current card: the tab stop, kept in the DOM, scrolled into view. */
function setCurrent(id, { focus = false } = {}) {
  state.selectedId = id;
  if (!id) { render(true); return; }
  const i = list.indexOf(id);
  if (i >= 0) reveal(i);
  render(true);
  const el = rendered.get(id);
  if (focus && el) el.focus({ preventScroll: true });
}

function reveal(index) {
  const s = scroller();
  const top = scrollToReveal(index, {
    scrollTop: s.scrollTop, viewport: s.clientHeight, offset: layout.offset,
    pitch: layout.pitch, cols: layout.cols, gap: GAP,
  });
  if (top !== s.scrollTop) s.scrollTop = top;
}

function onClick(e) {
  const card = e.target.closest('.card[data-image-id]');
  if (!card || card.classList.contains('skeleton')) return;
  const id = card.dataset.imageId;
  if (e.shiftKey) {
    selectRange(list, id, { add: e.ctrlKey || e.metaKey });
    setCurrent(id, { focus: true });
  } else if (e.ctrlKey || e.metaKey) {
    toggleSelected(id);
    setCurrent(id, { focus: true });
  } else {
    select(id, { focus: true });
    handlers.onOpen(id);
  }
}

function onKeyDown(e) {
  const card = e.target.closest('.card[data-image-id]');
  if (!card) return;
  const id = card.dataset.imageId;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && e.key.toLowerCase() === 'a') {
    e.preventDefault();
    selectAll(list.length);
    return;
  }
  if (e.key === 'Escape' && !mod && selectedCount() > 0) {
    e.preventDefault();
    e.stopPropagation();  // the window's Escape (clear the search) waits for the next press
    clearSelection();
    return;
  }
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    if (e.key === ' ' && mod) { toggleSelected(id); return; }
    select(id, { focus: true });
    handlers.onOpen(id, { focusForm: e.key === 'Enter' });
    return;
  }
  const i = list.indexOf(id);
  const j = i < 0 ? null : stepIndex(i, e.key, layout.cols, list.length);
  if (j === null) return;
  e.preventDefault();
  const how = e.shiftKey ? 'extend' : mod ? 'move' : 'select';
  moveTo(j, how);
}

/** Keyboard move to card `index`: 'select' it alone, 'extend' the range from the anchor, or
 * only 'move' the focus. A card not loaded yet is scrolled in and taken when its page lands. */
function moveTo(index, how) {
  const id = list[index];
  if (!id) {
    pendingFocus = { index, how };
    reveal(index);
    render(true);
    return;
  }
  pendingFocus = null;
  if (how === 'select') selectOne(id);
  else if (how === 'extend') selectRange(list, id);
  setCurrent(id, { focus: true });
}

function applyPendingFocus() {
  if (!pendingFocus) return;
  const { index, how } = pendingFocus;
  if (index >= list.length) { pendingFocus = null; return; }
  if (!list[index]) return;
  // Only when the focus is still in the grid: the user may have gone elsewhere meanwhile.
  if (document.activeElement && !grid().contains(document.activeElement) && document.activeElement !== document.body) { pendingFocus = null; return; }
  moveTo(index, how);
}

export function focusGrid() {
  const current = state.selectedId && rendered.get(state.selectedId);
  const target = current || [...grid().children].find((c) => c.matches('.card[data-image-id]') && c.tabIndex === 0)
    || grid().querySelector('.card[data-image-id]');
  target?.focus();
}

// ---- count, empty and error states ------------------------------------------------------------

function setCount(n, failed = false) {
  const el = $('#match-count');
  el.classList.toggle('loading', n === null && !failed);
  el.textContent = failed ? '' : n === null ? 'Loading…' : plural(n, 'image', 'images');
}

function renderEmpty() {
  const box = $('#grid-empty');
  const hasCards = list.length > 0 || firstPage !== null;
  if (hasCards && !lastError) { box.hidden = true; return; }
  box.hidden = false;
  if (lastError) {
    const d = describeError(lastError);
    const details = h('pre', { class: 'toast-details', hidden: true, text: `kind: ${d.kind}${d.detail ? `\ndetail: ${typeof d.detail === 'string' ? d.detail : JSON.stringify(d.detail)}` : ''}` });
    replaceChildren(box, h('div', { class: 'empty-icon error', attrs: { 'aria-hidden': 'true' } }),
      h('h2', { text: 'Could not load images' }), h('p', { text: [d.title, d.message].filter(Boolean).join(' ') }),
      h('div', { class: 'empty-actions' },
        h('button', { type: 'button', class: 'button primary', text: 'Try again', on: { click: () => reloadGrid() } }),
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
