// Widget values ↔ input text (ui/js/widgets.js) and the filter builder's pure helpers. The
// field rules themselves (widget, editability, encoding) are Rust's and tested there.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { controlOf, toText, fromText, findOption, sameValue, isEmpty } from '../../ui/js/widgets.js';
import { opLabel, utcOffsetOn } from '../../ui/js/filters.js';

const field = (widget, extra = {}) => ({ fieldId: 'f', label: 'F', widget, editable: true, ...extra });
const people = [
  { value: 'u1', label: 'Ada Lovelace', detail: 'ada@example.com' },
  { value: 'u2', label: 'Grace Hopper' },
];

test('every widget the backend names has a control; unknown ones are plain text', () => {
  const controls = {
    text: 'text', combo: 'text', memo: 'textarea', select: 'select', multiSelect: 'multiselect',
    tags: 'list', users: 'list', user: 'picker', partner: 'picker', bool: 'checkbox', date: 'date',
    dateTime: 'datetime', integer: 'number', decimal: 'number', percent: 'number', currency: 'number',
    measure: 'number', weight: 'number', color: 'readonly', readOnly: 'readonly', someFutureWidget: 'text',
  };
  for (const [widget, control] of Object.entries(controls)) assert.equal(controlOf(widget), control, widget);
});

test('pickers show labels and read names back as {value, label}', () => {
  const user = field('user');
  assert.equal(toText(user, { value: 'u1', label: 'Ada Lovelace' }), 'Ada Lovelace');
  assert.deepEqual(fromText(user, ' grace hopper ', { options: people }).value, { value: 'u2', label: 'Grace Hopper' });
  assert.deepEqual(fromText(user, 'u1', { options: people }).value, { value: 'u1', label: 'Ada Lovelace' }, 'by value too');
  assert.equal(fromText(user, '', { options: people }).value, null, 'empty clears');
  assert.match(fromText(user, 'Nobody', { options: people }).error, /not in the list/);
  // A name already set stays readable when it is no longer offered (e.g. a user who left).
  const gone = { value: 'u9', label: 'Former Designer' };
  assert.deepEqual(fromText(user, 'Former Designer', { options: people, current: gone }).value, gone);
});

test('several users and tags are comma-separated, trimmed and without repeats', () => {
  const users = field('users');
  assert.equal(toText(users, [{ value: 'u1', label: 'Ada Lovelace' }, { value: 'u2', label: 'Grace Hopper' }]), 'Ada Lovelace, Grace Hopper');
  assert.deepEqual(fromText(users, 'Ada Lovelace, ada lovelace,, Grace Hopper', { options: people }).value.map((u) => u.value), ['u1', 'u2']);
  assert.match(fromText(users, 'Ada Lovelace, Nobody', { options: people }).error, /Nobody/);
  assert.deepEqual(fromText(field('tags'), ' floral, SS27 ,floral,').value, ['floral', 'SS27']);
  assert.equal(toText(field('tags'), ['a', 'b']), 'a, b');
});

test('numbers: whole numbers, decimals, percent with or without %, empty is null', () => {
  assert.equal(fromText(field('integer'), ' 42 ').value, 42);
  assert.match(fromText(field('integer'), '4.5').error, /whole number/);
  assert.match(fromText(field('integer'), '12abc').error, /whole number/);
  assert.equal(fromText(field('decimal'), '1.25').value, 1.25);
  assert.equal(fromText(field('percent'), '12.5 %').value, 12.5);
  assert.match(fromText(field('currency'), 'lots').error, /number/);
  assert.equal(fromText(field('measure'), '').value, null);
});

test('dates are days as typed; date-times are instants shown in local time', () => {
  assert.equal(fromText(field('date'), '2026-05-26').value, '2026-05-26');
  assert.match(fromText(field('date'), '26/05/2026').error, /valid date/);
  const instant = '2026-05-26T08:30:00Z';
  const local = toText(field('dateTime'), instant);
  assert.match(local, /^2026-05-2\dT\d\d:\d\d$/);
  assert.equal(fromText(field('dateTime'), local).value, instant, 'round trip');
  assert.equal(toText(field('dateTime'), 'not a date'), '');
});

test('sameValue compares picked people by value; isEmpty knows empty lists', () => {
  assert.ok(sameValue({ value: 'u1', label: 'Ada' }, { value: 'u1', label: 'Ada Lovelace' }));
  assert.ok(!sameValue({ value: 'u1', label: 'Ada' }, { value: 'u2', label: 'Ada' }));
  assert.ok(sameValue([{ value: 'u1', label: 'x' }], [{ value: 'u1', label: 'y' }]));
  assert.ok(sameValue(undefined, null));
  assert.ok(!sameValue('', null));
  assert.ok(isEmpty([]) && isEmpty('') && isEmpty(null) && !isEmpty(false) && !isEmpty(0));
  assert.equal(findOption(people, '  '), null);
});

test('filter conditions read as days for dates', () => {
  assert.equal(opLabel('gte', 'date'), 'on or after');
  assert.equal(opLabel('gte', 'integer'), '≥');
  assert.equal(opLabel('in', 'options'), 'is any of');
  assert.equal(opLabel('someNewOp', 'text'), 'someNewOp');
  assert.equal(utcOffsetOn('2026-05-26'), -new Date(2026, 4, 26).getTimezoneOffset());
  assert.equal(utcOffsetOn('nonsense'), 0);
});
