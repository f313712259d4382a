// Filter builder: rows of field / condition / value, built from the fields the backend says a
// search can filter by (`folder_schema`'s `filters`: each with its operators and value kind).
// Rows combine with AND (the API has no OR). Rows that need a value and have none are not sent;
// the backend turns each row into the API's filters (dates as whole days in the user's zone).
import { h, $ } from './dom.js';
import { choicesFrom } from './choices.js';

/** How each operator reads, by value kind (dates read as days). */
const OP_LABELS = {
  contains: 'contains', is: 'is', isNot: 'is not', isEmpty: 'is empty', isNotEmpty: 'is not empty',
  gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'is any of', notIn: 'is none of',
};
const DATE_OP_LABELS = { is: 'on', gt: 'after', gte: 'on or after', lt: 'before', lte: 'on or before' };
const NO_VALUE = new Set(['isEmpty', 'isNotEmpty']);

export function opLabel(op, valueKind) {
  return (valueKind === 'date' && DATE_OP_LABELS[op]) || OP_LABELS[op] || op;
}

/** The user's offset from UTC in minutes (east positive) on `day` ('YYYY-MM-DD'). */
export function utcOffsetOn(day) {
  const d = new Date(`${day}T00:00:00`);
  return Number.isNaN(d.getTime()) ? 0 : -d.getTimezoneOffset();
}

let fields = [];
let onChange = () => {};

export function initFilters(changeHandler) {
  onChange = changeHandler;
  $('#filter-add').addEventListener('click', () => addRow());
}

/** New fields (folder changed): drop all rows. */
export function setFilterSchema(filterFields) {
  fields = (filterFields || []).filter((f) => f?.filter?.operators?.length);
  $('#filters').replaceChildren();
  $('#filter-add').disabled = fields.length === 0;
  syncEmptyClass();
}

export function clearFilters() {
  $('#filters').replaceChildren();
  syncEmptyClass();
}

function syncEmptyClass() {
  $('#filters').classList.toggle('has-rows', !!$('#filters').firstElementChild);
}

export function addRow(fieldId) {
  if (!fields.length) return null;
  const fieldSelect = h('select', { class: 'filter-field', attrs: { 'aria-label': 'Field' } },
    fields.map((f) => h('option', { value: f.fieldId, text: f.label })));
  if (fieldId) fieldSelect.value = fieldId;
  const opSelect = h('select', { class: 'filter-op', attrs: { 'aria-label': 'Condition' } });
  const valueSlot = h('span', { class: 'filter-value-slot' });
  const remove = h('button', { type: 'button', class: 'icon-button filter-remove', attrs: { 'aria-label': 'Remove filter', title: 'Remove filter' }, text: '×' });
  const row = h('div', { class: 'filter-row' }, fieldSelect, opSelect, valueSlot, remove);

  const field = () => fields.find((f) => f.fieldId === fieldSelect.value) || fields[0];
  const syncValue = () => { valueSlot.hidden = NO_VALUE.has(opSelect.value); };
  const rebuild = () => {
    const f = field();
    const { operators, defaultOperator, valueKind } = f.filter;
    opSelect.replaceChildren(...operators.map((op) => h('option', { value: op, text: opLabel(op, valueKind) })));
    opSelect.value = defaultOperator;
    valueSlot.replaceChildren(valueInput(f));
    row.dataset.kind = valueKind;
    syncValue();
  };
  fieldSelect.addEventListener('change', () => { rebuild(); onChange(); });
  opSelect.addEventListener('change', () => { syncValue(); onChange({ immediate: NO_VALUE.has(opSelect.value) }); });
  valueSlot.addEventListener('input', () => onChange());
  valueSlot.addEventListener('change', () => onChange());
  remove.addEventListener('click', () => { row.remove(); syncEmptyClass(); onChange({ immediate: true }); $('#filter-add').focus(); });
  rebuild();
  $('#filters').append(row);
  syncEmptyClass();
  valueSlot.firstElementChild?.focus();
  return row;
}

function valueInput(field) {
  const attrs = { 'aria-label': `Value for ${field.label}` };
  switch (field.filter.valueKind) {
    case 'options': {
      const select = h('select', { class: 'filter-value', multiple: true, size: 3, attrs });
      const show = (options) => select.replaceChildren(...options.map((o) => h('option', { value: o.value, text: o.label })));
      show(field.choices || []);
      if (field.choicesSource) {
        choicesFrom(field.choicesSource).then(show, () => select.replaceChildren(h('option', { disabled: true, text: 'The list could not be loaded' })));
      }
      return select;
    }
    case 'bool':
      return h('select', { class: 'filter-value', attrs }, h('option', { value: '', text: 'Choose…' }),
        h('option', { value: 'true', text: 'Yes' }), h('option', { value: 'false', text: 'No' }));
    case 'date': return h('input', { class: 'filter-value', type: 'date', attrs });
    case 'integer': case 'decimal':
      return h('input', { class: 'filter-value', type: 'text', placeholder: 'Number', autocomplete: 'off', attrs: { ...attrs, inputmode: 'decimal' } });
    default: return h('input', { class: 'filter-value', type: 'search', placeholder: 'Value', autocomplete: 'off', spellcheck: false, attrs });
  }
}

/** The filters to send: [{field, op, value, utcOffsetMinutes?}] for rows that are complete. */
export function currentFilters() {
  return [...document.querySelectorAll('#filters .filter-row')].map((row) => {
    const field = row.querySelector('.filter-field').value;
    const op = row.querySelector('.filter-op').value;
    if (NO_VALUE.has(op)) return { field, op };
    const input = row.querySelector('.filter-value');
    let value;
    if (input.multiple) value = [...input.selectedOptions].map((o) => o.value);
    else if (row.dataset.kind === 'bool') value = input.value === '' ? '' : input.value === 'true';
    else value = input.value.trim();
    if (value === '' || (Array.isArray(value) && value.length === 0)) return null;
    return row.dataset.kind === 'date' ? { field, op, value, utcOffsetMinutes: utcOffsetOn(value) } : { field, op, value };
  }).filter(Boolean);
}
