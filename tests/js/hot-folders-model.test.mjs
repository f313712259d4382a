import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateText, stateTone, applyChange } from '../../ui/js/hot-folders-model.js';

const view = (state, counts = {}) => ({ id: 'h1', name: 'Drop', state, counts });

test('the state line says what the folder is doing', () => {
  assert.equal(stateText(view({ kind: 'watching' })), 'Watching');
  assert.equal(stateText(view({ kind: 'watching' }, { uploaded: 12, rejected: 1, settling: 1 })),
    'Watching · 1 being written · 12 uploaded · 1 rejected');
  assert.equal(stateText(view({ kind: 'paused', reason: 'offline' })), 'Paused: offline');
  assert.equal(stateText(view({ kind: 'error', reason: 'The hot folder /x no longer exists' })),
    'Not watched: The hot folder /x no longer exists');
  assert.equal(stateTone(view({ kind: 'watching' }, { rejected: 1 })), 'warn');
  assert.equal(stateTone(view({ kind: 'error' })), 'error');
});

test('changes replace, add and remove folders by id', () => {
  const a = view({ kind: 'watching' });
  let list = applyChange([], { type: 'changed', folder: a });
  assert.equal(list.length, 1);
  list = applyChange(list, { type: 'changed', folder: { ...a, counts: { uploaded: 2 } } });
  assert.equal(list.length, 1);
  assert.equal(list[0].counts.uploaded, 2);
  assert.deepEqual(applyChange(list, { type: 'removed', id: 'h1' }), []);
  assert.equal(applyChange(list, { type: 'bogus' }), list);
});
