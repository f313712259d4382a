// Unit tests for the upload tray's windowing math (ui/js/tray-window.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { offsetsOf, visibleRange, estimateHeight, anchorRow, OVERSCAN_ROWS } from '../../ui/js/tray-window.js';

const even = (n, h = 50) => offsetsOf(new Array(n).fill(h));

test('offsets are running sums; bad heights count as zero', () => {
  assert.deepEqual([...offsetsOf([10, 20, 30])], [0, 10, 30, 60]);
  assert.deepEqual([...offsetsOf([10, NaN, -5, undefined, 5])], [0, 10, 10, 10, 10, 15]);
  assert.deepEqual([...offsetsOf([])], [0]);
});

test('an empty list draws nothing', () => {
  assert.deepEqual(visibleRange(offsetsOf([]), 0, 300), { start: 0, end: 0, top: 0, bottom: 0 });
});

test('a short list is drawn whole', () => {
  const r = visibleRange(even(4), 0, 400);
  assert.deepEqual(r, { start: 0, end: 4, top: 0, bottom: 0 });
});

test('10,000 rows: only those near the viewport, with spacers for the rest', () => {
  const offsets = even(10_000);
  const r = visibleRange(offsets, 0, 300, 6);
  assert.deepEqual(r, { start: 0, end: 6 + 6, top: 0, bottom: (10_000 - 12) * 50 });

  const mid = visibleRange(offsets, 250_000, 300, 6); // row 5000 at the top
  assert.equal(mid.start, 5000 - 6);
  assert.equal(mid.end, 5006 + 6);
  assert.equal(mid.top, mid.start * 50);
  assert.equal(mid.top + (mid.end - mid.start) * 50 + mid.bottom, 500_000, 'the list keeps its height');
  assert.ok(mid.end - mid.start <= 20);
});

test('a row partly in view is drawn; one just touching the bottom edge is not', () => {
  const offsets = even(100);
  // Scrolled 25 px into row 2: rows 2..7 are visible (row 8 starts at 400 = 125 + 275).
  const r = visibleRange(offsets, 125, 275, 0);
  assert.deepEqual([r.start, r.end], [2, 8]);
  const exact = visibleRange(offsets, 100, 300, 0); // rows 2..7 exactly
  assert.deepEqual([exact.start, exact.end], [2, 8]);
});

test('the end of the list: scrolled past it (the list shrank) shows the last rows', () => {
  const offsets = even(100);
  const r = visibleRange(offsets, 1e9, 300, 2);
  assert.equal(r.end, 100);
  assert.equal(r.bottom, 0);
  assert.equal(r.start, 100 - 6 - 2);
});

test('rows of different heights (a wrapped failure reason)', () => {
  const heights = [50, 50, 120, 50, 50, 50, 50];
  const offsets = offsetsOf(heights); // 0 50 100 220 270 320 370 420
  const r = visibleRange(offsets, 110, 100, 0); // 110..210 lies inside row 2
  assert.deepEqual(r, { start: 2, end: 3, top: 100, bottom: 200 });
  const r2 = visibleRange(offsets, 200, 100, 1); // rows 2..4 touch 200..300, plus one each side
  assert.deepEqual(r2, { start: 1, end: 6, top: 50, bottom: 50 });
});

test('a hidden or collapsed tray (no viewport) still draws the top row and the overscan', () => {
  const r = visibleRange(even(50), 0, 0, OVERSCAN_ROWS);
  assert.equal(r.start, 0);
  assert.equal(r.end, 1 + OVERSCAN_ROWS);
});

test('nonsense scroll positions count as the top', () => {
  assert.equal(visibleRange(even(50), NaN, 100, 0).start, 0);
  assert.equal(visibleRange(even(50), -40, 100, 0).start, 0);
});

test('the estimate is the most common measured height, else the fallback', () => {
  assert.equal(estimateHeight(new Map(), 49), 49);
  assert.equal(estimateHeight(new Map([['a', 57], ['b', 57], ['c', 90], ['d', 0]]), 49), 57);
  // More tall rows measured do not move it while most rows are plain.
  assert.equal(estimateHeight(new Map([['a', 57], ['b', 57], ['c', 90], ['d', 120]]), 49), 57);
  assert.equal(estimateHeight(new Map([['a', 60], ['b', 57]]), 49), 57, 'a tie takes the smaller');
});

test('the anchor is the first row in view', () => {
  const offsets = even(10);
  assert.equal(anchorRow(offsets, 0), 0);
  assert.equal(anchorRow(offsets, 49), 0);
  assert.equal(anchorRow(offsets, 50), 1);
  assert.equal(anchorRow(offsets, 1e9), 9);
  assert.equal(anchorRow(offsetsOf([]), 0), -1);
});
