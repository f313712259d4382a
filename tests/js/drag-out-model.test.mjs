// Drag out's pure part (ui/js/drag-out-model.js): which images a drag carries, the threshold,
// and the words shown while originals download.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  dragIds, movedEnough, progressText, outcomeText, MAX_DRAG_IMAGES, DRAG_THRESHOLD,
} from '../../ui/js/drag-out-model.js';
import { EMPTY, selectOneIn, toggleIn, allIn } from '../../ui/js/selection.js';

const order = ['a', 'b', 'c', undefined, 'e'];

test('a card outside the selection is dragged alone', () => {
  assert.deepEqual(dragIds(EMPTY, 'b', order), { ids: ['b'] });
  const sel = toggleIn(selectOneIn(EMPTY, 'a'), 'c');
  assert.deepEqual(dragIds(sel, 'b', order), { ids: ['b'] });
  assert.deepEqual(dragIds(selectOneIn(EMPTY, 'b'), 'b', order), { ids: ['b'] });
  assert.ok(dragIds(EMPTY, null, order).error);
});

test('a card in the selection drags the whole selection, that card first', () => {
  const sel = toggleIn(toggleIn(selectOneIn(EMPTY, 'a'), 'c'), 'e');
  assert.deepEqual(dragIds(sel, 'c', order), { ids: ['c', 'a', 'e'] });
});

test('a Ctrl+A selection drags what is loaded, and only when all of it is', () => {
  const all = toggleIn(allIn(EMPTY, order.length), 'b');  // b excluded, index 3 not loaded
  assert.match(dragIds(all, 'a', order).error, /Scroll through the selection/);
  const loaded = ['a', 'b', 'c', 'e'];
  assert.deepEqual(dragIds(toggleIn(allIn(EMPTY, 4), 'b'), 'e', loaded), { ids: ['e', 'a', 'c'] });
});

test('more than the limit is refused with what to do', () => {
  const big = allIn(EMPTY, MAX_DRAG_IMAGES + 1);
  const res = dragIds(big, 'a', order);
  assert.match(res.error, /101 images are selected; drag at most 100/);
});

test('a press becomes a drag past the threshold', () => {
  assert.equal(movedEnough({ x: 10, y: 10 }, { x: 12, y: 13 }), false);
  assert.equal(movedEnough({ x: 10, y: 10 }, { x: 10 + DRAG_THRESHOLD, y: 10 }), true);
});

test('progress says what is downloading, how far, and the size', () => {
  assert.equal(progressText({ files: 1, ready: 0, received: 5 * 1024 * 1024, total: 20 * 1024 * 1024 }),
    'Downloading the original to drag… 25% (5.0 MB of 20.0 MB)');
  assert.equal(progressText({ files: 3, ready: 1, received: 2048, total: null }),
    'Downloading 3 originals to drag… 2 KB');
});

test('only a drag that never started needs words afterwards', () => {
  assert.equal(outcomeText({ outcome: 'dropped', files: 1 }), null);
  assert.equal(outcomeText({ outcome: 'cancelled', files: 2 }), null);
  assert.match(outcomeText({ outcome: 'released', files: 1 }), /ready: drag the image again/);
  assert.match(outcomeText({ outcome: 'released', files: 2 }), /2 originals are ready/);
});
