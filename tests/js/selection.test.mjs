// The grid's multi-selection (ui/js/selection.js): the pure reducers, what the backend is sent,
// and that a new folder or search clears it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  EMPTY, selection, selectOneIn, toggleIn, rangeIn, allIn, withoutIn, withTotalIn, idsBetween,
  selectedCount, isSelected, selectionArg, clearSelection, selectOne, toggleSelected, selectRange, selectAll,
  forgetSelected, setSelectionTotal,
} from '../../ui/js/selection.js';
import { state, folderStore, queryStore } from '../../ui/js/state.js';

const ids = (sel) => [...sel.ids].sort();
const order = ['a', 'b', 'c', undefined, 'e', 'f', 'g'];  // index 3 not loaded yet

test('nothing is selected at first', () => {
  assert.equal(EMPTY.mode, 'none');
  assert.equal(selectedCount(EMPTY), 0);
  assert.equal(isSelected('a', EMPTY), false);
  assert.equal(selectionArg(EMPTY), null);
});

test('a plain click selects only that image and anchors there', () => {
  const one = selectOneIn(EMPTY, 'b');
  assert.equal(one.mode, 'ids');
  assert.deepEqual(ids(one), ['b']);
  assert.equal(one.anchor, 'b');
  const other = selectOneIn(toggleIn(one, 'c'), 'e');
  assert.deepEqual(ids(other), ['e']);
  assert.equal(selectOneIn(other, null).mode, 'none');
  assert.equal(EMPTY.ids.size, 0, 'the empty value is never changed in place');
});

test('ctrl-click toggles one image and keeps the others', () => {
  let sel = toggleIn(EMPTY, 'a');
  sel = toggleIn(sel, 'c');
  assert.deepEqual(ids(sel), ['a', 'c']);
  assert.equal(sel.anchor, 'c');
  const before = sel;
  sel = toggleIn(sel, 'a');
  assert.deepEqual(ids(sel), ['c']);
  assert.deepEqual(ids(before), ['a', 'c'], 'the previous value is untouched');
  sel = toggleIn(sel, 'c');
  assert.equal(sel.mode, 'none', 'toggling the last one off selects nothing');
  assert.equal(selectedCount(sel), 0);
});

test('shift-click selects the range from the anchor in the loaded order, holes skipped', () => {
  assert.deepEqual(idsBetween(order, 'b', 'f'), ['b', 'c', 'e', 'f']);
  assert.deepEqual(idsBetween(order, 'f', 'b'), ['b', 'c', 'e', 'f']);
  assert.deepEqual(idsBetween(order, 'zz', 'c'), ['c']);
  assert.deepEqual(idsBetween(order, 'a', 'zz'), []);

  const anchored = selectOneIn(EMPTY, 'b');
  let sel = rangeIn(anchored, order, 'f');
  assert.deepEqual(ids(sel), ['b', 'c', 'e', 'f']);
  assert.equal(sel.anchor, 'b', 'the anchor stays where the range started');
  // A second shift-click from the same anchor replaces the range (it can shrink).
  sel = rangeIn(sel, order, 'c');
  assert.deepEqual(ids(sel), ['b', 'c']);
  // Backwards.
  sel = rangeIn(selectOneIn(EMPTY, 'g'), order, 'e');
  assert.deepEqual(ids(sel), ['e', 'f', 'g']);
  // Without an anchor: only the clicked one, and it becomes the anchor.
  sel = rangeIn(EMPTY, order, 'c');
  assert.deepEqual(ids(sel), ['c']);
  assert.equal(sel.anchor, 'c');
  // An anchor that left the grid (deleted) counts as none.
  sel = rangeIn({ ...selectOneIn(EMPTY, 'gone') }, order, 'e');
  assert.deepEqual(ids(sel), ['e']);
});

test('ctrl+shift-click adds the range to what is selected', () => {
  let sel = toggleIn(selectOneIn(EMPTY, 'a'), 'e');   // a, e; anchor e
  sel = rangeIn(sel, order, 'g', { add: true });
  assert.deepEqual(ids(sel), ['a', 'e', 'f', 'g']);
});

test('ctrl+A selects everything matching the search, not only what is loaded', () => {
  let sel = allIn(selectOneIn(EMPTY, 'a'), 10_000);
  assert.equal(sel.mode, 'all');
  assert.equal(sel.ids.size, 0);
  assert.equal(selectedCount(sel), 10_000);
  assert.equal(isSelected('never-loaded', sel), true);
  // Ctrl-click in 'all' excludes, and again includes.
  sel = toggleIn(sel, 'b');
  assert.equal(sel.mode, 'all');
  assert.equal(isSelected('b', sel), false);
  assert.equal(selectedCount(sel), 9_999);
  assert.equal(selectedCount(toggleIn(sel, 'b')), 10_000);
  // Ctrl+shift in 'all' takes the range out of the exclusions.
  let excl = toggleIn(toggleIn(toggleIn(allIn(EMPTY, 7), 'b'), 'c'), 'e');
  assert.equal(selectedCount(excl), 4);
  excl = rangeIn({ ...excl, anchor: 'a' }, order, 'c', { add: true });
  assert.deepEqual(ids(excl), ['e']);
  // A plain shift-click leaves 'all' for exactly the range.
  const range = rangeIn({ ...sel, anchor: 'a' }, order, 'c');
  assert.equal(range.mode, 'ids');
  assert.deepEqual(ids(range), ['a', 'b', 'c']);
  // A plain click leaves 'all'.
  assert.deepEqual(ids(selectOneIn(sel, 'c')), ['c']);
});

test('the total follows the search in all mode only; a deleted image leaves the selection', () => {
  const all = allIn(EMPTY, 100);
  assert.equal(withTotalIn(all, 120).total, 120);
  const some = toggleIn(EMPTY, 'a');
  assert.equal(withTotalIn(some, 120), some, 'ids mode: unchanged value');
  assert.equal(withTotalIn(all, 100), all, 'same total: unchanged value');

  let sel = toggleIn(toggleIn(EMPTY, 'a'), 'b');
  sel = withoutIn(sel, 'b');
  assert.deepEqual(ids(sel), ['a']);
  assert.equal(sel.anchor, null, 'the anchor was the deleted image');
  assert.equal(withoutIn(sel, 'zz'), sel);
  assert.equal(withoutIn(sel, 'a').mode, 'none');
  const excluded = toggleIn(allIn(EMPTY, 10), 'x');
  const gone = withoutIn(excluded, 'x');
  assert.equal(gone.total, 9);
  assert.equal(gone.ids.size, 0);
  assert.equal(selectedCount(gone), 9);
  assert.equal(selectedCount(withoutIn(allIn(EMPTY, 10), 'y')), 9);
});

test('the backend gets the ids, or the search with the exclusions', () => {
  state.query = { quick: '  rose ', filters: [{ field: 'season', operator: 'Eq', value: 'SS25' }] };
  assert.deepEqual(selectionArg(toggleIn(toggleIn(EMPTY, 'a'), 'b')), { ids: ['a', 'b'] });
  const all = toggleIn(allIn(EMPTY, 50), 'x');
  const arg = selectionArg(all);
  assert.deepEqual(arg, { all: { quick: 'rose', filters: [{ field: 'season', operator: 'Eq', value: 'SS25' }] }, except: ['x'] });
  assert.notEqual(arg.all.filters, state.query.filters, 'a copy of the filters');
  state.query = { quick: '', filters: [] };
  assert.deepEqual(selectionArg(allIn(EMPTY, 3)), { all: { quick: null, filters: [] }, except: [] });
  // Everything excluded: nothing selected.
  assert.equal(selectionArg(toggleIn(allIn(EMPTY, 1), 'only')), null);
});

test('the store: changes go through the reducers and tell subscribers', () => {
  clearSelection();
  const seen = [];
  const stop = selection.subscribe((v) => seen.push(v.mode));
  selectOne('a');
  toggleSelected('b');
  selectRange(['a', 'b', 'c'], 'c');  // from the anchor b (the last ctrl-click), replacing
  assert.deepEqual([...selection.get().ids].sort(), ['b', 'c']);
  forgetSelected('b');
  assert.equal(selectedCount(), 1);
  selectAll(40);
  setSelectionTotal(41);
  assert.equal(selectedCount(), 41);
  assert.equal(isSelected('anything'), true);
  clearSelection();
  stop();
  assert.deepEqual(seen, ['ids', 'ids', 'ids', 'ids', 'all', 'all', 'none']);
});

test('a new folder or a new search clears the selection', () => {
  selectAll(10);
  folderStore.set('folder-2');
  assert.equal(selection.get().mode, 'none');
  selectOne('a');
  queryStore.set({ quick: 'x', filters: [] });
  assert.equal(selectedCount(), 0);
  selectOne('a');
  state.query = { quick: '', filters: [] };
  assert.equal(selectedCount(), 0);
});
