// The grid's multi-selection (issue 13): which images the bulk actions apply to.
//
// The `selection` store holds
//   { mode: 'none' | 'ids' | 'all',  // 'all' = everything matching the current search (Ctrl+A)
//     ids: Set<string>,              // 'ids': the chosen ids; 'all': the EXCLUDED ids
//     anchor: string | null,         // last plainly clicked / ctrl-clicked id (Shift ranges from it)
//     total: number }                // 'all': the search's total (from list_images)
// Values are never changed in place: every change is a new value from the pure reducers below
// (unit-tested in tests/js/selection.test.mjs), so subscribers can compare old and new.
// A new folder or a new search clears it; scrolling and paging do not touch it.
import { createStore } from './store.js';
import { state, folderStore, queryStore } from './state.js';

export const EMPTY = Object.freeze({ mode: 'none', ids: new Set(), anchor: null, total: 0 });

export const selection = createStore(EMPTY);

// ---- pure reducers: (value, ...) → new value -------------------------------------------------

const make = (mode, ids, anchor, total) => ({ mode: mode === 'ids' && ids.size === 0 ? 'none' : mode, ids, anchor, total });

/** A plain click: only `id` (the anchor becomes `id`). */
export function selectOneIn(sel, id) {
  if (!id) return make('none', new Set(), null, sel.total);
  return make('ids', new Set([id]), id, sel.total);
}

/** Ctrl/Cmd-click: `id` in or out, the rest kept (in 'all' mode: in or out of the exclusions). */
export function toggleIn(sel, id) {
  if (!id) return sel;
  const ids = new Set(sel.mode === 'none' ? [] : sel.ids);
  if (ids.has(id)) ids.delete(id); else ids.add(id);
  return make(sel.mode === 'all' ? 'all' : 'ids', ids, id, sel.total);
}

/** The ids between `from` and `to` (both included) in `order` (the grid's loaded order; holes
 * for cards not loaded yet are skipped); just [to] when `from` is not in `order`. */
export function idsBetween(order, from, to) {
  const j = order.indexOf(to);
  if (j < 0) return [];
  const i = from == null ? -1 : order.indexOf(from);
  if (i < 0) return [to];
  const [a, b] = i <= j ? [i, j] : [j, i];
  const out = [];
  for (let k = a; k <= b; k += 1) if (order[k]) out.push(order[k]);
  return out;
}

/** Shift-click: the range from the anchor to `id` (anchor unchanged). `add` (Ctrl+Shift) adds
 * it to what is selected; otherwise the range replaces the selection. */
export function rangeIn(sel, order, id, { add = false } = {}) {
  const anchor = sel.anchor && order.includes(sel.anchor) ? sel.anchor : null;
  const span = idsBetween(order, anchor, id);
  if (!span.length) return sel;
  const nextAnchor = anchor ?? id;
  if (add && sel.mode === 'all') {
    const ids = new Set(sel.ids);
    for (const x of span) ids.delete(x);
    return make('all', ids, nextAnchor, sel.total);
  }
  const ids = new Set(add && sel.mode === 'ids' ? sel.ids : []);
  for (const x of span) ids.add(x);
  return make('ids', ids, nextAnchor, sel.total);
}

/** Ctrl+A: everything matching the search (`total` images), nothing excluded. */
export function allIn(sel, total) {
  return make('all', new Set(), sel.anchor, Math.max(0, Number(total) || 0));
}

/** An image is gone (deleted): out of the selection; in 'all' mode the total shrinks. */
export function withoutIn(sel, id) {
  if (sel.mode === 'ids') {
    if (!sel.ids.has(id)) return sel;
    const ids = new Set(sel.ids);
    ids.delete(id);
    return make('ids', ids, sel.anchor === id ? null : sel.anchor, sel.total);
  }
  if (sel.mode === 'all') {
    const ids = new Set(sel.ids);
    ids.delete(id);
    return make('all', ids, sel.anchor === id ? null : sel.anchor, Math.max(0, sel.total - 1));
  }
  return sel;
}

/** The search's total changed (a page told a new one, an image was added): 'all' follows it. */
export function withTotalIn(sel, total) {
  const t = Math.max(0, Number(total) || 0);
  return sel.mode === 'all' && sel.total !== t ? { ...sel, total: t } : sel;
}

// ---- reading ---------------------------------------------------------------------------------

/** How many images are selected ('all': the total minus the exclusions). */
export function selectedCount(sel = selection.get()) {
  if (sel.mode === 'ids') return sel.ids.size;
  if (sel.mode === 'all') return Math.max(0, sel.total - sel.ids.size);
  return 0;
}

export function isSelected(id, sel = selection.get()) {
  if (!id) return false;
  if (sel.mode === 'ids') return sel.ids.has(id);
  if (sel.mode === 'all') return !sel.ids.has(id);
  return false;
}

/** The IPC argument for the backend, or null when nothing is selected:
 * {ids: [..]} | {all: {quick: string|null, filters: [...state.query.filters]}, except: [..]}. */
export function selectionArg(sel = selection.get(), query = state.query) {
  if (selectedCount(sel) === 0) return null;
  if (sel.mode === 'ids') return { ids: [...sel.ids] };
  return {
    all: { quick: String(query?.quick ?? '').trim() || null, filters: [...(query?.filters ?? [])] },
    except: [...sel.ids],
  };
}

// ---- changing the store ----------------------------------------------------------------------

export function clearSelection() { selection.set(EMPTY); }
export function selectOne(id) { selection.update((s) => selectOneIn(s, id)); }
export function toggleSelected(id) { selection.update((s) => toggleIn(s, id)); }
export function selectRange(order, id, opts) { selection.update((s) => rangeIn(s, order, id, opts)); }
export function selectAll(total) { selection.update((s) => allIn(s, total)); }
export function forgetSelected(id) { selection.update((s) => withoutIn(s, id)); }
export function setSelectionTotal(total) { selection.update((s) => withTotalIn(s, total)); }

// A new folder or a new search is a new set of images: nothing of the old one stays selected.
folderStore.subscribe(clearSelection);
queryStore.subscribe(clearSelection);
