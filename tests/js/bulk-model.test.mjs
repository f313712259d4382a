// The bulk actions' view models (ui/js/bulk-model.js): the dialog's rows → `edits`, refusals
// placed next to their rows, and the backend's previews, progress, results, import diffs and
// presets worded for the page. The rules themselves (what may be edited, what fits) are Rust's.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  bulkEditableFields, opsFor, buildEdits, rowsFromEdits, placeServerError, selectionLabel, imageLabel,
  previewModel, progressModel, progressAnnouncement, finishedModel, interruptedText, deleteResultModel,
  deleteConfirmText, importModel, presetUploadFields, presetUploadLeftOut, presetSummaryLines, exportArgs,
  exportScopeText, exportedText, capped,
} from '../../ui/js/bulk-model.js';

const spec = (fieldId, extra = {}) => ({ fieldId, label: fieldId, widget: 'text', editable: true, multi: false, ...extra });
const img = (id, number, name) => ({ id, number, name });

test('only editable fields other than the image number can be bulk edited', () => {
  const fields = [spec('header_number'), spec('HEADER_NUMBER'), spec('header_name'), spec('created_by', { editable: false }), spec('season')];
  assert.deepEqual(bulkEditableFields(fields).map((f) => f.fieldId), ['header_name', 'season']);
  assert.deepEqual(bulkEditableFields(undefined), []);
});

test('add and remove are offered for list fields only; untypeable fields can only be cleared', () => {
  assert.deepEqual(opsFor(spec('season')), ['set', 'clear']);
  assert.deepEqual(opsFor(spec('tags', { widget: 'tags', multi: true })), ['set', 'clear', 'add', 'remove']);
  assert.deepEqual(opsFor(spec('color', { widget: 'color' }), { typeable: false }), ['clear']);
});

test('rows become FieldEdits: set with the widget value, clear without, add/remove with a list', () => {
  const { edits, problems } = buildEdits([
    { fieldId: 'season', op: 'set', read: { value: 'SS27' } },
    { fieldId: 'notes', op: 'clear' },
    { fieldId: 'tags', op: 'add', read: { value: ['floral', 'SS27'] } },
    { fieldId: 'styles', op: 'remove', read: { value: 'one' } },
    { fieldId: 'colors', op: 'add', read: { value: null } },
    { fieldId: 'approved', op: 'set', read: { value: false } },
    { fieldId: 'designer', op: 'set', read: { value: { value: 'u1', label: 'Ada' } } },
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(edits, [
    { fieldId: 'season', op: 'set', value: 'SS27' },
    { fieldId: 'notes', op: 'clear' },
    { fieldId: 'tags', op: 'add', value: ['floral', 'SS27'] },
    { fieldId: 'styles', op: 'remove', value: ['one'] },
    { fieldId: 'colors', op: 'add', value: [] },
    { fieldId: 'approved', op: 'set', value: false },
    { fieldId: 'designer', op: 'set', value: { value: 'u1', label: 'Ada' } },
  ]);
  assert.ok(!('value' in edits[1]), 'clear sends no value');
});

test('what the user typed that does not fit its widget is reported per row, not sent', () => {
  const { edits, problems } = buildEdits([
    { fieldId: 'season', op: 'set', read: { value: 'SS27' } },
    { fieldId: 'qty', op: 'set', read: { error: 'Enter a whole number.' } },
  ]);
  assert.deepEqual(problems, [{ index: 1, fieldId: 'qty', message: 'Enter a whole number.' }]);
  assert.equal(edits.length, 1);
});

test('a preset fills the dialog; fields the folder no longer has are named', () => {
  const fields = [spec('season'), spec('tags', { multi: true })];
  const { rows, unknown } = rowsFromEdits([
    { fieldId: 'Season', op: 'set', value: 'SS27' },
    { fieldId: 'tags', op: 'add', value: ['a'] },
    { fieldId: 'gone', op: 'clear' },
  ], fields);
  assert.deepEqual(rows.map((r) => [r.field.fieldId, r.op, r.value]), [['season', 'set', 'SS27'], ['tags', 'add', ['a']]]);
  assert.deepEqual(unknown, ['gone']);
});

test('refusals go next to the field they name, else to the dialog', () => {
  const rows = [{ key: 'a', fieldId: 'season', label: 'Season' }, { key: 'b', fieldId: 'qty', label: 'Quantity' }];
  // Per-field messages from the server.
  let placed = placeServerError({ kind: 'invalid_input', message: 'Refused.', fields: [{ field: 'QTY', message: 'Too big.' }] }, rows);
  assert.deepEqual([...placed.byKey], [['b', 'Too big.']]);
  assert.equal(placed.general, null);
  // A message naming a field by label or id.
  placed = placeServerError({ kind: 'invalid_input', message: 'Season (season): “XX” is not one of the choices.', fields: [] }, rows);
  assert.deepEqual([...placed.byKey], [['a', 'Season (season): “XX” is not one of the choices.']]);
  // Anything else (or another kind of error) stays general.
  placed = placeServerError({ kind: 'invalid_input', message: 'A bulk edit is running.', fields: [] }, rows);
  assert.equal(placed.byKey.size, 0);
  assert.equal(placed.general, 'A bulk edit is running.');
  placed = placeServerError({ kind: 'transport', message: 'season server unreachable' }, rows);
  assert.equal(placed.byKey.size, 0, 'only refusals of the input are placed at fields');
});

test('the bar counts ids, everything matching, and everything but some', () => {
  assert.equal(selectionLabel({ mode: 'ids', ids: new Set(['a', 'b']), total: 0 }, 2), '2 selected');
  assert.equal(selectionLabel({ mode: 'all', ids: new Set(), total: 1204 }, 1204), `All ${(1204).toLocaleString()} matching`);
  assert.equal(selectionLabel({ mode: 'all', ids: new Set(['x']), total: 1204 }, 1203), `${(1203).toLocaleString()} of ${(1204).toLocaleString()} matching`);
  assert.equal(selectionLabel({ mode: 'none', ids: new Set(), total: 0 }, 0), '');
  assert.equal(imageLabel(img('1', 'SS27-014', 'Paisley')), 'SS27-014 — Paisley');
  assert.equal(imageLabel(img('1', '', 'Paisley')), 'Paisley');
  assert.equal(imageLabel(img('1', '', '')), '1');
});

test('the preview says how many change, per field, before → after, and what is skipped', () => {
  const m = previewModel({
    planId: 'p1', kind: 'edit', changing: 212, unchanged: 3,
    skipped: [{ image: img('9', 'N9', 'Busy'), reason: 'It is being uploaded.' }],
    fields: [{ fieldId: 'season', label: 'Season', images: 212 }, { fieldId: 'tags', label: 'Tags', images: 1 }],
    sample: [{ image: img('1', 'N1', 'One'), fields: [{ fieldId: 'season', label: 'Season', beforeText: '', afterText: 'SS27' }] }],
  });
  assert.equal(m.headline, '212 images will change');
  assert.deepEqual(m.notes, ['3 images already have these values', '1 image will be skipped']);
  assert.deepEqual(m.fields.map((f) => `${f.label}: ${f.text}`), ['Season: 212 images', 'Tags: 1 image']);
  assert.deepEqual(m.sample[0].changes[0], { fieldId: 'season', label: 'Season', before: '—', after: 'SS27' });
  assert.equal(m.sampleNote, 'The first 1 of 212:');
  assert.deepEqual(m.skipped, [{ key: '9', heading: 'N9 — Busy', reason: 'It is being uploaded.' }]);
  assert.ok(m.canApply);
  const none = previewModel({ planId: 'p2', changing: 0, unchanged: 5, skipped: [], fields: [], sample: [] });
  assert.equal(none.headline, 'No image would change');
  assert.ok(!none.canApply);
});

test('progress reads as counts and a percentage; screen readers hear every tenth', () => {
  const p = { editId: 'e', kind: 'edit', total: 200, done: 50, counts: { changed: 48, unchanged: 0, failed: 2, skipped: 0 } };
  const m = progressModel(p);
  assert.equal(m.title, 'Editing 200 images…');
  assert.equal(m.text, '50 of 200 done · 48 changed · 2 failed');
  assert.equal(m.percent, 25);
  assert.equal(progressModel({ ...p, kind: 'undo', total: 1, done: 0, counts: {} }).title, 'Undoing the bulk edit of 1 image…');
  const first = progressAnnouncement(p, -1);
  assert.equal(first.step, 2);
  assert.match(first.text, /^25% — 50 of 200 done/);
  assert.equal(progressAnnouncement({ ...p, done: 55 }, first.step).text, null, 'same tenth: quiet');
  assert.equal(progressModel({ total: 0, done: 0 }).percent, 0);
});

test('a finished edit is summarised; failures, retry and undo follow the backend', () => {
  const m = finishedModel({
    editId: 'e', kind: 'edit', cancelled: false, counts: { changed: 212, unchanged: 0, failed: 3, skipped: 1 },
    failed: [{ image: img('1', 'N1', ''), reason: 'HTTP 500' }], skipped: [{ image: img('2', 'N2', 'x'), reason: 'processing' }],
    canUndo: true, canRetry: true,
  });
  assert.equal(m.summary, '212 changed, 3 failed, 1 skipped');
  assert.equal(m.title, 'Bulk edit finished with failures');
  assert.equal(m.tone, 'error');
  assert.deepEqual(m.failed, [{ key: '1', heading: 'N1', reason: 'HTTP 500' }]);
  assert.ok(m.canUndo && m.canRetry);
  assert.equal(m.retryLabel, 'Retry failed');
  const c = finishedModel({ editId: 'e', kind: 'import', cancelled: true, counts: { changed: 10 }, canUndo: true, canRetry: true });
  assert.equal(c.title, 'Import cancelled');
  assert.equal(c.retryLabel, 'Finish the rest');
  assert.equal(c.summary, '10 changed');
  assert.equal(finishedModel({ editId: 'u', kind: 'undo', counts: { changed: 5 } }).title, 'Undo finished');
});

test('interrupted edits and deletes are worded with their counts', () => {
  assert.equal(interruptedText({ editId: 'e', kind: 'edit', total: 212, changed: 40 }), 'A bulk edit was interrupted: 40 of 212 images changed.');
  assert.equal(interruptedText({ kind: 'import', total: 1, changed: 0 }), 'An import was interrupted: 0 of 1 image changed.');
  assert.deepEqual(deleteConfirmText(37), { title: 'Delete images', message: 'Delete 37 images? This cannot be undone.', ok: 'Delete 37 images' });
  assert.equal(deleteConfirmText(1).message, 'Delete 1 image? This cannot be undone.');
  const d = deleteResultModel({ deleted: 35, failed: [{ image: img('1', 'N1', 'a'), reason: 'locked' }, { image: img('2', 'N2', ''), reason: 'gone' }] });
  assert.equal(d.summary, '35 images deleted, 2 could not be deleted');
  assert.equal(d.failed.length, 2);
  assert.equal(deleteResultModel({ deleted: 1, failed: [] }).tone, 'ok');
});

test('an import diff lists changed cells, flags invalid ones and blocks apply, lists unknown numbers', () => {
  const ok = importModel({
    planId: 'p', fileName: 'Prints.csv', changedRows: 2, changedCells: 3, unchangedRows: 10, problems: 0,
    rows: [{ image: img('1', 'N1', 'One'), cells: [{ fieldId: 'season', label: 'Season', beforeText: 'SS26', afterText: 'SS27', problem: null }] }],
    unknown: [{ row: 14, number: 'X-1' }],
  });
  assert.equal(ok.title, 'Import Prints.csv');
  assert.equal(ok.summary, '2 rows change (3 cells) · 10 rows unchanged · 1 number not found');
  assert.ok(!ok.blocked);
  assert.equal(ok.rowsNote, 'Showing the first 1 of 2 rows.');
  assert.deepEqual(ok.rows[0].cells[0], { fieldId: 'season', label: 'Season', before: 'SS26', after: 'SS27', problem: null });
  assert.deepEqual(ok.unknown.map((u) => u.text), ['Row 14: X-1']);
  assert.equal(ok.ignoredText, '');
  const more = importModel({ planId: 'p', changedRows: 0, rows: [], unknown: [{ row: 3, number: 'Z', reason: 'deleted' }], ignoredColumns: ['Notes'] });
  assert.deepEqual(more.unknown.map((u) => u.text), ['Row 3: Z — deleted']);
  assert.equal(more.ignoredText, 'Columns left out (no field of this folder): Notes.');
  const bad = importModel({
    planId: null, fileName: 'Prints.xlsx', changedRows: 1, changedCells: 1, unchangedRows: 0, problems: 1,
    rows: [{ image: img('1', 'N1', ''), cells: [{ fieldId: 'qty', label: 'Qty', beforeText: '1', afterText: 'lots', problem: 'Enter a whole number.' }] }],
    unknown: [],
  });
  assert.ok(bad.blocked);
  assert.match(bad.blockedText, /1 cell is not valid.*Fix the sheet and import it again/);
  assert.ok(bad.rows[0].invalid);
  assert.equal(bad.rows[0].cells[0].problem, 'Enter a whole number.');
  const nothing = importModel({ planId: null, fileName: 'a.csv', changedRows: 0, changedCells: 0, unchangedRows: 4, problems: 0, rows: [], unknown: [] });
  assert.ok(nothing.blocked);
  assert.equal(nothing.blockedText, 'The sheet changes nothing in this folder.');
});

test('a preset gives new uploads its set values only', () => {
  const preset = {
    id: 'p', name: 'SS27', summary: [{ label: 'Season', text: 'SS27' }, { label: 'Tags', text: 'add floral' }],
    edits: [{ fieldId: 'season', op: 'set', value: 'SS27' }, { fieldId: 'tags', op: 'add', value: ['floral'] }, { fieldId: 'notes', op: 'clear' }],
  };
  assert.deepEqual(presetUploadFields(preset), [{ id: 'season', value: 'SS27' }]);
  assert.equal(presetUploadLeftOut(preset), 2);
  assert.deepEqual(presetSummaryLines(preset), ['Season: SS27', 'Tags: add floral']);
  assert.deepEqual(presetUploadFields(null), []);
});

test('export: the selection, else the search (filters as an all-selection), else the folder', () => {
  const sel = { ids: ['a'] };
  assert.deepEqual(exportArgs({ folderId: 'f', selection: sel, query: { quick: 'x', filters: [] }, format: 'csv' }),
    { folderId: 'f', selection: sel, quick: null, format: 'csv' });
  assert.deepEqual(exportArgs({ folderId: 'f', query: { quick: ' rose ', filters: [] }, format: 'xlsx' }),
    { folderId: 'f', selection: null, quick: 'rose', format: 'xlsx' });
  const filters = [{ field: 'season', operator: 'is', value: 'SS27' }];
  assert.deepEqual(exportArgs({ folderId: 'f', query: { quick: '', filters }, format: 'csv' }),
    { folderId: 'f', selection: { all: { quick: null, filters }, except: [] }, quick: null, format: 'csv' });
  assert.deepEqual(exportArgs({ folderId: 'f', query: { quick: '', filters: [] }, format: 'csv' }),
    { folderId: 'f', selection: null, quick: null, format: 'csv' });
  assert.equal(exportScopeText({ selectionCount: 3 }), 'the 3 selected images');
  assert.equal(exportScopeText({ query: { quick: 'x', filters: [] } }), 'this search');
  assert.equal(exportScopeText({ query: { quick: '', filters: [] } }), 'the whole folder');
  assert.equal(exportedText({ fileName: 'Prints 2026-12-03.csv', rows: 212 }), 'Exported 212 rows to Prints 2026-12-03.csv.');
});

test('long lists of images show the first few hundred and say how many more', () => {
  const many = Array.from({ length: 1203 }, (_, i) => i);
  const { shown, more } = capped(many, 500);
  assert.equal(shown.length, 500);
  assert.equal(more, 703);
  assert.deepEqual(capped([1, 2]), { shown: [1, 2], more: 0 });
  assert.deepEqual(capped(undefined), { shown: [], more: 0 });
});
