import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes, stateText, bannerCopies, bannerText, progressText, fileLabel, filesNote, filesNewestFirst,
} from '../../ui/js/working-model.js';

const copy = (state, more = {}) => ({
  id: 'c1', imageId: 'i1', imageNumber: 'IMG-1', imageName: 'Front', fileName: 'IMG-1.psd',
  state, jobId: null, lastError: null, versionsSent: 0, baseVersion: '2', createdAtMs: 1, updatedAtMs: 1, ...more,
});

test('sizes read as people read them', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(2048), '2.0 KB');
  assert.equal(formatBytes(52 * 1024 * 1024), '52 MB');
  assert.equal(formatBytes(null), '');
});

test('each state says where the copy is in the round trip', () => {
  assert.equal(stateText(copy('unchanged')), 'Unchanged since it was opened');
  assert.equal(stateText(copy('unchanged', { versionsSent: 2 })), 'Unchanged since the last upload · 2 versions sent');
  assert.equal(stateText(copy('edited')), 'Saved in the editor, not uploaded');
  assert.equal(stateText(copy('edited', { lastError: 'The upload was cancelled' })),
    'Saved in the editor, not uploaded (last upload: The upload was cancelled)');
  assert.equal(stateText(copy('declined')), 'Edited, kept on this computer (not uploaded)');
  assert.equal(stateText(copy('uploading')), 'Uploading as a new version…');
  assert.equal(stateText(copy('uploading', { lastError: 'offline (Retry in the upload list)' })),
    'Upload waiting: offline (Retry in the upload list)');
  assert.equal(stateText(copy('missing')), 'The file is no longer on this computer');
});

test('only edited copies get a banner, the newest save first', () => {
  const list = [copy('edited', { id: 'a', updatedAtMs: 5 }), copy('declined', { id: 'b' }),
    copy('edited', { id: 'c', updatedAtMs: 9 }), copy('uploading', { id: 'd' })];
  assert.deepEqual(bannerCopies(list).map((c) => c.id), ['c', 'a']);
});

test('the banner warns before uploading over a newer server file', () => {
  const plain = bannerText(copy('edited'), { serverChanged: false, after: 'data:x' });
  assert.equal(plain.title, 'IMG-1.psd was saved in your editor.');
  assert.deepEqual(plain.notes, []);
  assert.equal(plain.uploadLabel, 'Upload as new version');
  const changed = bannerText(copy('edited'), { serverChanged: true, serverVersion: '3', after: null, afterProblem: 'saved without PDF compatibility' });
  assert.equal(changed.warn, true);
  assert.equal(changed.uploadLabel, 'Upload anyway as new version');
  assert.match(changed.notes[0], /newer file to IMG-1 \(now version 3\) since you opened version 2/);
  assert.match(changed.notes[1], /No preview of the edited file: saved without PDF compatibility/);
  // Held back by the backend before the banner knew.
  assert.equal(bannerText(copy('edited'), null, { serverChanged: true }).warn, true);
});

test('progress with and without a known total', () => {
  assert.equal(progressText({ action: 'open', done: 512 * 1024, total: 1024 * 1024 }),
    'Downloading the original… 50% (512 KB of 1.0 MB)');
  assert.equal(progressText({ action: 'save', done: 2048, total: null }), 'Saving… 2.0 KB');
});

test('file lines and the note say what the API gives', () => {
  assert.equal(fileLabel({ number: 2, current: true, size: null, createdAt: null }), 'Version 2 · current');
  assert.equal(fileLabel({ number: 1, current: false, size: 3 * 1024 * 1024, createdAt: null }), 'Version 1 · 3.0 MB');
  assert.match(filesNote({ files: [{}], hasDetails: false }), /without its date or size/);
  assert.equal(filesNote({ files: [{}], hasDetails: true }), '');
  assert.match(filesNote({ files: [], hasDetails: false }), /No file yet/);
  assert.deepEqual(filesNewestFirst([{ number: 1 }, { number: 3 }, { number: 2 }]).map((f) => f.number), [3, 2, 1]);
});
