import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadPreset, newImageTarget, presetFor } from '../../ui/js/upload-target.js';

const preset = {
  folderId: 'f1', presetId: 'p1', name: 'Fall prints',
  fields: [{ id: 'season', value: 'Fall' }, { id: 'colors', value: ['Red', 'Blue'] }],
};

test('without a preset a new-image target has no fields', () => {
  uploadPreset.set(null);
  assert.deepEqual(newImageTarget('f1'), { kind: 'newImage', folderId: 'f1' });
});

test("the preset's values go with uploads into its own folder only", () => {
  uploadPreset.set(preset);
  assert.deepEqual(newImageTarget('f1'), {
    kind: 'newImage', folderId: 'f1',
    fields: [{ id: 'season', value: 'Fall' }, { id: 'colors', value: ['Red', 'Blue'] }],
  });
  assert.deepEqual(newImageTarget('f2'), { kind: 'newImage', folderId: 'f2' });
  assert.equal(presetFor('f2'), null);
  assert.equal(presetFor('f1'), preset);
  uploadPreset.set(null);
});

test('the target is a copy: changing it does not change the preset', () => {
  uploadPreset.set(preset);
  const target = newImageTarget('f1');
  target.fields[0].value = 'Winter';
  assert.equal(preset.fields[0].value, 'Fall');
  uploadPreset.set(null);
});

test('a preset without values adds nothing; an explicit preset argument wins', () => {
  assert.deepEqual(newImageTarget('f1', { ...preset, fields: [] }), { kind: 'newImage', folderId: 'f1' });
  uploadPreset.set(null);
  assert.equal(newImageTarget('f1', preset).fields.length, 2);
});

test('one .csv or .xlsx (any case) is a spreadsheet drop; anything else is not', async () => {
  const { isSheetDrop } = await import('../../ui/js/upload-target.js');
  const drop = (...names) => ({ handle: 'files-x', count: names.length, names });
  assert.equal(isSheetDrop(drop('prints.csv')), true);
  assert.equal(isSheetDrop(drop('Prints 2026-12-03.XLSX')), true);
  assert.equal(isSheetDrop(drop('a.csv', 'b.csv')), false);
  assert.equal(isSheetDrop(drop('a.png')), false);
  assert.equal(isSheetDrop(drop('a.xls')), false);
  assert.equal(isSheetDrop(drop('csv')), false);
  assert.equal(isSheetDrop({ handle: 'h', count: 2, names: ['a.csv'] }), false, 'a folder counts too');
  assert.equal(isSheetDrop(null), false);
});

test("a preset's edits become a new image's values: set and add give values, clear and remove nothing", async () => {
  const { fieldsFromEdits } = await import('../../ui/js/upload-target.js');
  assert.deepEqual(fieldsFromEdits([
    { fieldId: 'season', op: 'set', value: 'Fall' },
    { fieldId: 'colors', op: 'add', value: ['Red'] },
    { fieldId: 'designer', op: 'clear' },
    { fieldId: 'keywords', op: 'remove', value: ['old'] },
    { op: 'set', value: 'no field' },
  ]), [{ id: 'season', value: 'Fall' }, { id: 'colors', value: ['Red'] }]);
  assert.deepEqual(fieldsFromEdits(null), []);
});
