// The grid's windowing math (ui/js/grid-window.js): which cards are near the viewport, where
// they go, which pages they need, where a key moves to.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  columnLayout, rowCount, contentHeight, cellPosition, visibleRange, pagesFor, neededPages, stepIndex, scrollToReveal,
} from '../../ui/js/grid-window.js';

test('columns follow repeat(auto-fill, minmax(150px, 1fr)) with a 12px gap', () => {
  assert.deepEqual(columnLayout(150), { cols: 1, cardWidth: 150 });
  assert.deepEqual(columnLayout(100), { cols: 1, cardWidth: 100 });  // narrower than a card: one squeezed column
  assert.equal(columnLayout(311).cols, 1);
  assert.equal(columnLayout(312).cols, 2);                           // 2 × 150 + 12
  const { cols, cardWidth } = columnLayout(700);
  assert.equal(cols, 4);
  assert.equal(cardWidth * 4 + 12 * 3, 700);                        // the cards fill the width
  assert.deepEqual(columnLayout(0), { cols: 1, cardWidth: 0 });
  assert.equal(columnLayout(1000, { minCard: 200, gap: 0 }).cols, 5);
});

test('the grid is as tall as all its rows, whatever is loaded', () => {
  assert.equal(rowCount(0, 4), 0);
  assert.equal(rowCount(1, 4), 1);
  assert.equal(rowCount(10_000, 4), 2500);
  assert.equal(rowCount(10_001, 4), 2501);
  assert.equal(contentHeight(0, 4, 212, 12), 0);
  assert.equal(contentHeight(10_000, 4, 212, 12), 2500 * 212 - 12);  // no gap under the last row
});

test('a card is placed at its row and column', () => {
  const geo = { cols: 4, cardWidth: 100, pitch: 150, gap: 10 };
  assert.deepEqual(cellPosition(0, geo), { row: 0, col: 0, top: 0, left: 0 });
  assert.deepEqual(cellPosition(5, geo), { row: 1, col: 1, top: 150, left: 110 });
  assert.deepEqual(cellPosition(9999, geo), { row: 2499, col: 3, top: 2499 * 150, left: 330 });
});

test('only the rows near the viewport are in the window, with the overscan', () => {
  const base = { viewport: 600, pitch: 200, cols: 4, total: 10_000, overscan: 2 };
  // At the top: rows 0–2 are visible (0..600), two more below.
  assert.deepEqual(visibleRange({ ...base, scrollTop: 0 }), { firstRow: 0, lastRow: 5, start: 0, end: 20 });
  // In the middle: rows 500–503 visible (partly), two rows of overscan either side.
  assert.deepEqual(visibleRange({ ...base, scrollTop: 100_050 }), { firstRow: 498, lastRow: 506, start: 1992, end: 2024 });
  // At the bottom: clamped to the last row; the short last row ends at the total.
  const bottom = visibleRange({ ...base, total: 10_002, scrollTop: 2501 * 200 - 600 });
  assert.equal(bottom.lastRow, 2501);
  assert.equal(bottom.end, 10_002);
  // Scrolled past the end (the total shrank): still the last rows, never an empty window.
  const past = visibleRange({ ...base, total: 40, scrollTop: 1e9 });
  assert.deepEqual(past, { firstRow: 5, lastRow: 10, start: 20, end: 40 });
  // The grid starts below a padding: the offset is taken off.
  assert.deepEqual(visibleRange({ ...base, overscan: 0, scrollTop: 14, offset: 14 }), { firstRow: 0, lastRow: 3, start: 0, end: 12 });
  assert.deepEqual(visibleRange({ ...base, overscan: 0, scrollTop: 0, offset: 14 }).start, 0);
});

test('the window size does not grow with the folder: 40 and 10,000 images draw about as many cards', () => {
  const at = (total, scrollTop) => visibleRange({ scrollTop, viewport: 800, pitch: 220, cols: 5, total, overscan: 3 });
  const small = at(40, 0);
  const big = at(10_000, 200_000);
  assert.equal(small.end - small.start, 35);   // 4 rows in view + 3 below, of 8
  assert.equal(big.end - big.start, 50);       // 4 rows in view (5 when cut) + 3 + 3
  assert.equal(at(10_000, 0).end, 35);
});

test('an empty grid or an unmeasured row has an empty window', () => {
  assert.deepEqual(visibleRange({ scrollTop: 0, viewport: 600, pitch: 200, cols: 4, total: 0 }), { firstRow: 0, lastRow: 0, start: 0, end: 0 });
  assert.deepEqual(visibleRange({ scrollTop: 0, viewport: 600, pitch: 0, cols: 4, total: 10 }), { firstRow: 0, lastRow: 0, start: 0, end: 0 });
});

test('pages covering a range', () => {
  assert.deepEqual(pagesFor(0, 0, 60), []);
  assert.deepEqual(pagesFor(0, 1, 60), [0]);
  assert.deepEqual(pagesFor(0, 60, 60), [0]);
  assert.deepEqual(pagesFor(59, 61, 60), [0, 1]);
  assert.deepEqual(pagesFor(5000, 5040, 60), [83]);
  assert.deepEqual(pagesFor(5000, 5041, 60), [83, 84]);
});

test('needed pages: only those with holes in the range, not on their way, nearest the viewport first', () => {
  const loaded = new Set([...Array(60).keys()]);  // page 0 is in
  const isLoaded = (i) => loaded.has(i);
  // A jump to the middle of 10,000: the pages there, not everything before.
  assert.deepEqual(neededPages({ start: 4980, end: 5040, pageSize: 60, isLoaded }), [83]);
  assert.deepEqual(neededPages({ start: 4970, end: 5050, pageSize: 60, isLoaded }), [83, 82, 84]);
  // Loaded, in flight or blocked pages are not asked again.
  assert.deepEqual(neededPages({ start: 0, end: 100, pageSize: 60, isLoaded }), [1]);
  assert.deepEqual(neededPages({ start: 0, end: 100, pageSize: 60, isLoaded, inflight: new Set([1]) }), []);
  assert.deepEqual(neededPages({ start: 0, end: 200, pageSize: 60, isLoaded, blocked: new Set([2]) }), [1, 3]);
  // Only the holes inside the range count: page 1 loaded except index 200 (outside) is not needed.
  for (let i = 60; i < 120; i += 1) loaded.add(i);
  assert.deepEqual(neededPages({ start: 30, end: 110, pageSize: 60, isLoaded }), []);
  // The focus (where a key went) decides the order.
  assert.deepEqual(neededPages({ start: 120, end: 300, pageSize: 60, isLoaded, focus: 290 }), [4, 3, 2]);
});

test('keys move over the whole list, across rows that are not drawn', () => {
  const cols = 4;
  const total = 10;  // rows: 0-3, 4-7, 8-9
  assert.equal(stepIndex(0, 'ArrowRight', cols, total), 1);
  assert.equal(stepIndex(3, 'ArrowRight', cols, total), 4);      // wraps to the next row
  assert.equal(stepIndex(9, 'ArrowRight', cols, total), 9);      // stops at the end
  assert.equal(stepIndex(0, 'ArrowLeft', cols, total), 0);
  assert.equal(stepIndex(1, 'ArrowDown', cols, total), 5);
  assert.equal(stepIndex(6, 'ArrowDown', cols, total), 9);       // short last row: to the last card
  assert.equal(stepIndex(9, 'ArrowDown', cols, total), 9);       // already on the last row
  assert.equal(stepIndex(5, 'ArrowUp', cols, total), 1);
  assert.equal(stepIndex(2, 'ArrowUp', cols, total), 2);         // first row: stays
  assert.equal(stepIndex(5, 'Home', cols, total), 0);
  assert.equal(stepIndex(5, 'End', cols, total), 9);
  assert.equal(stepIndex(5, 'Enter', cols, total), null);
  assert.equal(stepIndex(0, 'ArrowDown', cols, 0), null);
  assert.equal(stepIndex(4000, 'ArrowDown', 5, 10_000), 4005);
  assert.equal(stepIndex(0, 'End', 5, 10_000), 9999);
});

test('revealing a card scrolls the least', () => {
  const geo = { viewport: 600, offset: 14, pitch: 200, cols: 4, gap: 12 };
  assert.equal(scrollToReveal(0, { ...geo, scrollTop: 0 }), 0);               // already in view
  assert.equal(scrollToReveal(8, { ...geo, scrollTop: 0 }), 14 + 400 + 188 - 600);   // row 2 bottom edge
  assert.equal(scrollToReveal(4, { ...geo, scrollTop: 1000 }), 14 + 200);     // above: its top
  assert.equal(scrollToReveal(9999, { ...geo, scrollTop: 0 }), 14 + 2499 * 200 + 188 - 600);
});
