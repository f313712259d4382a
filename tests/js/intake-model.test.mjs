import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intakeModel, rowOrder, intakeCounts, summaryText, uploadActions, rowProblems, cellsOf } from '../../ui/js/intake-model.js';

const cell = (fieldId, text, problem = null) => ({ fieldId, label: fieldId, text, source: 'rule', problem });
const row = (file, problem = null) => ({
  fileName: file,
  number: cell('header_number', 'PRT-1'),
  name: cell('header_name', 'Floral'),
  cells: [cell('season', 'SS27', problem)],
  note: null,
});
const preview = {
  planId: 'p1', folderId: 'f1',
  columns: [{ fieldId: 'header_number', label: 'Number' }],
  rows: [row('a.psd'), row('b.psd', "'XX' is not a season"), row('c.psd')],
  skipped: [{ name: 'notes.txt', reason: 'not an image' }],
};

test('rows with problems come first, then the rest in file order', () => {
  const model = intakeModel(preview);
  assert.deepEqual(rowOrder(model).map((r) => r.index), [1, 0, 2]);
  assert.deepEqual(rowProblems(model.rows[1].row), ["season: 'XX' is not a season"]);
  assert.deepEqual([...cellsOf(model.rows[0].row).keys()], ['header_number', 'header_name', 'season']);
});

test('upload is blocked while a kept row has a problem; skipping it unblocks', () => {
  const model = intakeModel(preview);
  let actions = uploadActions(model);
  assert.equal(actions.upload.enabled, false);
  assert.equal(actions.validOnly.shown, true);
  assert.match(actions.blocked, /1 file has problems/);
  const skipped = new Set([1]);
  actions = uploadActions(model, skipped);
  assert.equal(actions.upload.enabled, true);
  assert.equal(actions.upload.label, 'Upload 2 files');
  assert.equal(actions.validOnly.shown, false);
  assert.deepEqual(intakeCounts(model, skipped), { total: 3, kept: 2, withProblems: 0, skipped: 1 });
});

test('skipping every row leaves nothing to upload', () => {
  const model = intakeModel(preview);
  const actions = uploadActions(model, new Set([0, 1, 2]));
  assert.equal(actions.upload.enabled, false);
  assert.equal(actions.blocked, 'Every file is skipped.');
});

test('the summary counts files, problems, skips and left-out files', () => {
  const model = intakeModel(preview);
  assert.equal(summaryText(model, 'Prints', new Set([0])),
    '2 files to upload to Prints · 1 with problems · 1 skipped · 1 file left out (not images).');
});

test('a malformed answer gives an empty model, not an exception', () => {
  const model = intakeModel(null);
  assert.deepEqual(model.rows, []);
  assert.equal(uploadActions(model).upload.enabled, false);
});
