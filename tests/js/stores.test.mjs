// The stores (ui/js/store.js) and the state that reads and writes them (ui/js/state.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createStore } from '../../ui/js/store.js';
import {
  state, folderStore, queryStore, selectionStore, openImageStore, imageNumber, imageName, previewUrl,
} from '../../ui/js/state.js';

test('a store tells its subscribers about changes, once, with the previous value', () => {
  const store = createStore(1);
  const seen = [];
  const stop = store.subscribe((value, previous) => seen.push([value, previous]));
  store.set(2);
  store.set(2);
  store.update((v) => v + 1);
  stop();
  store.set(9);
  assert.deepEqual(seen, [[2, 1], [3, 2]]);
  assert.equal(store.get(), 9);
});

test('a subscriber that unsubscribes while being told does not stop the others', () => {
  const store = createStore('a');
  const seen = [];
  const stopFirst = store.subscribe(() => { seen.push('first'); stopFirst(); });
  store.subscribe(() => seen.push('second'));
  store.set('b');
  store.set('c');
  assert.deepEqual(seen, ['first', 'second', 'second']);
});

test('state fields read and write their concept\'s store', () => {
  const folders = [];
  const stop = folderStore.subscribe((id) => folders.push(id));
  state.folderId = 'f1';
  assert.equal(folderStore.get(), 'f1');
  state.folderId = 'f1';
  assert.deepEqual(folders, ['f1']);
  stop();

  state.selectedId = 'img-1';
  assert.equal(selectionStore.get(), 'img-1');
  state.query = { quick: 'rose', filters: [] };
  assert.equal(queryStore.get().quick, 'rose');

  const panels = [];
  const stopPanel = openImageStore.subscribe((panel) => panels.push(panel));
  const image = { id: 'img-1' };
  state.openImage = image;
  state.creating = false;   // unchanged: nobody is told
  state.dirty = true;
  stopPanel();
  assert.deepEqual(panels, [
    { image, creating: false, dirty: false },
    { image, creating: false, dirty: true },
  ]);
  assert.equal(state.openImage, image);
  assert.equal(state.dirty, true);
  assert.deepEqual(Object.keys(state).sort(),
    ['connection', 'creating', 'dirty', 'fields', 'folderId', 'folders', 'openImage', 'query', 'selectedId']);
});

test('number, name and preview come from the header or its fields; only safe preview URLs', () => {
  const image = { headerData: { fields: [{ id: 'header_number', value: 'N-1' }, { id: 'header_name', value: 'Rose' }],
    preview: { preview: 'https://cdn.example/p.png' } } };
  assert.equal(imageNumber(image), 'N-1');
  assert.equal(imageName({ ...image, headerName: 'Own' }), 'Own');
  assert.equal(previewUrl(image), 'https://cdn.example/p.png');
  assert.equal(previewUrl({ headerData: { preview: 'javascript:alert(1)' } }), '');
  assert.equal(imageNumber(null), '');
});
