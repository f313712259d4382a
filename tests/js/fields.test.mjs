// The field-type rules the form and the filter builder share (ui/js/fields.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  widgetKind, choices, displayValue, isoToDateInput, dateInputToIso, isoToDateTimeInput,
  dateTimeInputToIso, truthy, filterable,
} from '../../ui/js/fields.js';

test('each BeProduct field type gets its widget', () => {
  const kinds = {
    Text: 'text', ComboBox: 'text', Memo: 'memo', DropDown: 'select', MultiSelect: 'multi',
    TrueFalse: 'bool', InvertedTrueFalse: 'bool', Date: 'date', DateTime: 'datetime',
    Number: 'int', Decimal: 'decimal', Currency: 'decimal', Percent: 'decimal',
    UserLabel: 'readonly', FormulaField: 'readonly', LabelBig: 'readonly',
    PartnerDropDown: 'readonly', CompositeControl: 'readonly', Users: 'readonly',
  };
  for (const [fieldType, kind] of Object.entries(kinds)) {
    assert.equal(widgetKind({ fieldId: 'x', fieldType }), kind, fieldType);
  }
  assert.equal(widgetKind({ fieldId: 'x' }), 'text', 'no type is text');
});

test('bookkeeping ids and read-only properties are never editable', () => {
  for (const fieldId of ['version', 'created_by', 'modified_at']) {
    assert.equal(widgetKind({ fieldId, fieldType: 'Text' }), 'readonly', fieldId);
  }
  assert.equal(widgetKind({ fieldId: 'x', fieldType: 'Text', properties: { ReadOnly: true } }), 'readonly');
  assert.equal(widgetKind({ fieldId: 'x', fieldType: 'Text', properties: { ReadOnly: false } }), 'text');
});

test('choices come from objects or strings, blanks dropped', () => {
  const field = { properties: { Choices: [{ value: 'SS26' }, 'FW26', { text: 'Resort' }, { value: '' }, null, 3] } };
  assert.deepEqual(choices(field), ['SS26', 'FW26', 'Resort']);
  assert.deepEqual(choices({ properties: { choices: ['a'] } }), ['a']);
  assert.deepEqual(choices({}), []);
});

test('values are shown as text whatever their shape', () => {
  assert.equal(displayValue(null), '');
  assert.equal(displayValue(['a', { value: 'b' }, null, { name: 'c' }]), 'a, b, c');
  assert.equal(displayValue({ other: 1 }), '{"other":1}');
  assert.equal(displayValue(12), '12');
});

test('dates are calendar days; date-times round-trip through local time', () => {
  assert.equal(isoToDateInput('2026-03-05T00:00:00Z'), '2026-03-05');
  assert.equal(isoToDateInput(5), '');
  assert.equal(dateInputToIso('2026-03-05'), '2026-03-05T00:00:00Z');
  assert.equal(dateInputToIso(''), null);
  const local = isoToDateTimeInput('2026-03-05T10:30:00Z');
  assert.match(local, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  assert.equal(dateTimeInputToIso(local), '2026-03-05T10:30:00.000Z');
  assert.equal(isoToDateTimeInput('not a date'), '');
  assert.equal(dateTimeInputToIso('not a date'), null);
});

test('yes/true/1 are true, anything else false', () => {
  for (const v of [true, 'yes', ' TRUE ', '1']) assert.equal(truthy(v), true, String(v));
  for (const v of [false, 'no', '', 0, null]) assert.equal(truthy(v), false, String(v));
});

test('filters offer editable active fields, and the version', () => {
  assert.equal(filterable({ fieldId: 'season', fieldType: 'DropDown' }), true);
  assert.equal(filterable({ fieldId: 'season', fieldType: 'DropDown', active: false }), false);
  assert.equal(filterable({ fieldId: 'version', fieldType: 'Number' }), true);
  assert.equal(filterable({ fieldId: 'f', fieldType: 'FormulaField' }), false);
});
