// Unit tests for the uploads store (ui/js/uploads-store.js): `node --test tests/js/*.test.mjs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createUploadsStore, statusText, rowActions, serverLabel } from '../../ui/js/uploads-store.js';

const IMAGE = 'a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe';
const OTHER = 'b5ca8dfe-4ff8-4549-b54d-2e1bbce514fe';

function job(id, kind, { state = {}, ...extra } = {}) {
  return { id, fileName: `${id}.png`, state: { kind, ...state }, target: { kind: 'version', imageId: IMAGE }, ...extra };
}

function changed(j, image = null) {
  return { type: 'jobChanged', job: j, totals: { total: 1 }, image };
}

/** A store and every change it announced. */
function recorded() {
  const store = createUploadsStore();
  const changes = [];
  store.subscribe((c) => changes.push(c));
  return { store, changes };
}

test('a batch is applied in order and announced once', () => {
  const { store, changes } = recorded();
  store.apply([
    { type: 'jobsAdded', jobs: [job('a', 'queued'), job('b', 'queued')], totals: { total: 2 } },
    changed(job('a', 'uploading')),
    { type: 'progress', jobId: 'a', bytesSent: 50, bytesTotal: 100, bytesPerSec: 10, totals: { total: 2, bytesSent: 50 } },
  ]);
  assert.equal(changes.length, 1);
  assert.deepEqual([...changes[0].jobs].sort(), ['a', 'b']);
  assert.equal(changes[0].added, true);
  assert.equal(store.job('a').state.kind, 'uploading');
  assert.equal(store.job('a').bytesSent, 50);
  assert.equal(store.job('a').size, 100);
  assert.deepEqual(store.totals(), { total: 2, bytesSent: 50 });
  assert.deepEqual([...store.jobs().keys()], ['a', 'b'], 'queue order');
});

test('one busy set: an image is busy while any of its jobs changes it', () => {
  const { store, changes } = recorded();
  store.apply([{ type: 'jobsAdded', jobs: [job('a', 'queued'), job('b', 'queued')] }]);
  assert.equal(store.isBusy(IMAGE), false, 'queued jobs do not lock the image');
  store.apply([changed(job('a', 'uploading'))]);
  assert.deepEqual(changes.at(-1).busy, [IMAGE]);
  assert.equal(store.isBusy(IMAGE), true);
  store.apply([changed(job('b', 'processing'))]);
  assert.deepEqual(changes.at(-1).busy, [], 'already busy: no flip');
  store.apply([changed(job('a', 'done'))]);
  assert.equal(store.isBusy(IMAGE), true, 'b still processes it');
  store.apply([changed(job('b', 'failed', { state: { reason: 'x' } }))]);
  assert.deepEqual(changes.at(-1).busy, [IMAGE]);
  assert.equal(store.isBusy(IMAGE), false);
});

test('a new image becomes busy once its job knows it, and removal frees it', () => {
  const { store, changes } = recorded();
  const created = { id: 'n', state: { kind: 'creating' }, target: { kind: 'newImage', folderId: 'f' } };
  store.apply([{ type: 'jobsAdded', jobs: [created] }]);
  assert.deepEqual(changes.at(-1).busy, [], 'no image yet');
  store.apply([changed({ ...created, imageId: OTHER, state: { kind: 'uploading' } })]);
  assert.equal(store.isBusy(OTHER), true);
  store.apply([{ type: 'jobsRemoved', jobIds: ['n', 'unknown'] }]);
  assert.deepEqual(changes.at(-1).removed, ['n']);
  assert.deepEqual(changes.at(-1).busy, [OTHER]);
  assert.equal(store.isBusy(OTHER), false);
  assert.equal(store.jobs().size, 0);
});

test('a finished job hands over the image header its event carries', () => {
  const { store, changes } = recorded();
  store.apply([{ type: 'jobsAdded', jobs: [job('a', 'processing')] }]);
  const header = { id: IMAGE, headerData: { preview: { preview: 'http://127.0.0.1:1/media/p.png' } } };
  store.apply([changed(job('a', 'processing')), changed(job('a', 'done'), header)]);
  assert.deepEqual(changes.at(-1).finished, [{ job: store.job('a'), image: header }]);
  store.apply([changed(job('a', 'done'))]);
  assert.deepEqual(changes.at(-1).finished, [], 'no header: nothing to show');
});

test('pause, resume and a server change are reported', () => {
  const { store, changes } = recorded();
  store.apply([{ type: 'paused', reason: 'the upload journal cannot be written: disk full' }]);
  assert.equal(store.paused(), 'the upload journal cannot be written: disk full');
  store.apply([{ type: 'resumed' }]);
  assert.equal(store.paused(), null);
  store.apply([{ type: 'serverChanged', serverKey: 'http://127.0.0.1:9/api/Acme/', totals: { total: 0 } }]);
  assert.equal(changes.at(-1).serverChanged, true);
});

test('a snapshot replaces everything and says which images flipped', () => {
  const { store, changes } = recorded();
  store.apply([{ type: 'jobsAdded', jobs: [job('a', 'uploading')] }]);
  assert.equal(store.isBusy(IMAGE), true);
  const snapshot = {
    jobs: [{ id: 'z', state: { kind: 'processing' }, imageId: OTHER }],
    totals: { total: 1, paused: true },
    interrupted: [],
    journalNotice: { movedTo: '/data/uploads.sqlite.unreadable-1', reason: 'not a database', message: 'It was moved to /data/uploads.sqlite.unreadable-1' },
  };
  store.load(snapshot);
  const c = changes.at(-1);
  assert.equal(c.reset, true);
  assert.deepEqual(c.busy.sort(), [IMAGE, OTHER].sort());
  assert.equal(store.isBusy(IMAGE), false);
  assert.equal(store.isBusy(OTHER), true);
  assert.deepEqual([...store.jobs().keys()], ['z']);
  assert.equal(store.journalNotice().movedTo, '/data/uploads.sqlite.unreadable-1');
  assert.ok(store.paused(), 'paused, reason unknown');
  assert.equal(store.running(), true);
});

test('interrupted jobs do not count as running', () => {
  const store = createUploadsStore();
  store.load({ jobs: [{ id: 'i', state: { kind: 'queued' }, interrupted: true }], interrupted: [{ id: 'i' }] });
  assert.equal(store.running(), false);
  assert.equal(store.interrupted().length, 1);
  store.apply([{ type: 'jobsRemoved', jobIds: ['i'] }]);
  assert.equal(store.interrupted().length, 0);
});

test('unsubscribe stops the calls; junk events are ignored', () => {
  const store = createUploadsStore();
  let calls = 0;
  const off = store.subscribe(() => { calls += 1; });
  store.apply([null, 42, { type: 'jobChanged' }, { type: 'nonsense' }]);
  assert.equal(calls, 1);
  assert.equal(store.jobs().size, 0);
  store.apply('not a batch');
  assert.equal(calls, 1);
  off();
  store.apply([]);
  assert.equal(calls, 1);
});

test('rows: may have landed offers Check again / Send again, a permanent failure no Retry', () => {
  assert.deepEqual(rowActions(job('m', 'mayHaveLanded')), ['check-again', 'send-again', 'cancel']);
  assert.deepEqual(rowActions(job('f', 'failed', { state: { reason: 'x', permanent: true } })), []);
  assert.deepEqual(rowActions(job('f', 'failed', { state: { reason: 'x', permanent: false } })), ['retry']);
  assert.deepEqual(rowActions(job('q', 'uploading')), ['cancel']);
  assert.deepEqual(rowActions(job('d', 'duplicate')), ['anyway']);
  assert.deepEqual(rowActions(job('d', 'done')), []);
});

test('status texts: may have landed, waiting for a server', () => {
  assert.match(statusText(job('m', 'mayHaveLanded')), /^May have landed/);
  const waiting = job('w', 'queued', { waitingForServer: true, serverKey: 'https://developers.beproduct.com/api/Acme%20Inc/' });
  assert.equal(statusText(waiting), 'Waiting for Acme Inc on developers.beproduct.com…');
  assert.equal(statusText({ ...waiting, serverKey: 'embedded-sandbox:/home/u/.local/share/x' }), 'Waiting for the built-in sandbox…');
  assert.equal(statusText({ ...waiting, state: { kind: 'done' } }), 'Done', 'finished jobs wait for nothing');
  assert.equal(statusText(job('f', 'failed', { state: { reason: 'too large' } })), 'Failed: too large');
  assert.equal(serverLabel(null), 'its server');
});
