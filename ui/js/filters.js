// Filter builder: rows of field / operator / value built from the folder schema.
// Rows combine with AND (the API has no OR). Rows without a value are not sent.
import { h, $ } from './dom.js';
import { widgetKind, choices, filterable } from './fields.js';

const OPS_BY_KIND = {
  text: [['Contains', 'contains'], ['Eq', 'is'], ['Neq', 'is not']],
  memo: [['Contains', 'contains'], ['Eq', 'is'], ['Neq', 'is not']],
  select: [['Eq', 'is'], ['Neq', 'is not']],
  multi: [['Contains', 'includes'], ['Eq', 'is exactly'], ['Neq', 'is not']],
  bool: [['Eq', 'is']],
  int: [['Eq', '='], ['Neq', '≠'], ['Gt', '>'], ['Gte', '≥'], ['Lt', '<'], ['Lte', '≤']],
  decimal: [['Eq', '='], ['Neq', '≠'], ['Gt', '>'], ['Gte', '≥'], ['Lt', '<'], ['Lte', '≤']],
  date: [['Eq', 'on'], ['Neq', 'not on'], ['Gt', 'after'], ['Gte', 'on or after'], ['Lt', 'before'], ['Lte', 'on or before']],
  datetime: [['Gt', 'after'], ['Gte', 'on or after'], ['Lt', 'before'], ['Lte', 'on or before'], ['Eq', 'at']],
  readonly: [['Eq', 'is'], ['Neq', 'is not'], ['Contains', 'contains']],
};

let fields = [];
let onChange = () => {};

export function initFilters(changeHandler) {
  onChange = changeHandler;
  $('#filter-add').addEventListener('click', () => addRow());
}

/** New schema (folder changed): drop all rows. */
export function setFilterSchema(schema) {
  fields = (schema || []).filter(filterable);
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
    fields.map((f) => h('option', { value: f.fieldId, text: f.fieldName || f.fieldId })));
  if (fieldId) fieldSelect.value = fieldId;
  const opSelect = h('select', { class: 'filter-op', attrs: { 'aria-label': 'Condition' } });
  const valueSlot = h('span', { class: 'filter-value-slot' });
  const remove = h('button', { type: 'button', class: 'icon-button filter-remove', attrs: { 'aria-label': 'Remove filter', title: 'Remove filter' }, text: '×' });
  const row = h('div', { class: 'filter-row' }, fieldSelect, opSelect, valueSlot, remove);

  const rebuild = () => {
    const field = fields.find((f) => f.fieldId === fieldSelect.value) || fields[0];
    const kind = widgetKind(field);
    opSelect.replaceChildren(...(OPS_BY_KIND[kind] || OPS_BY_KIND.text).map(([v, label]) => h('option', { value: v, text: label })));
    valueSlot.replaceChildren(valueWidget(field, kind));
    row.dataset.kind = kind;
  };
  fieldSelect.addEventListener('change', () => { rebuild(); onChange(); });
  opSelect.addEventListener('change', () => onChange());
  valueSlot.addEventListener('input', () => onChange());
  valueSlot.addEventListener('change', () => onChange());
  remove.addEventListener('click', () => { row.remove(); syncEmptyClass(); onChange({ immediate: true }); $('#filter-add').focus(); });
  rebuild();
  $('#filters').append(row);
  syncEmptyClass();
  valueSlot.firstElementChild?.focus();
  return row;
}

function valueWidget(field, kind) {
  const attrs = { 'aria-label': `Value for ${field.fieldName || field.fieldId}` };
  switch (kind) {
    case 'select':
      return h('select', { class: 'filter-value', attrs }, h('option', { value: '', text: 'Choose…' }), choices(field).map((c) => h('option', { value: c, text: c })));
    case 'multi':
      return h('select', { class: 'filter-value', multiple: true, size: 3, attrs }, choices(field).map((c) => h('option', { value: c, text: c })));
    case 'bool':
      return h('select', { class: 'filter-value', attrs }, h('option', { value: '', text: 'Choose…' }), h('option', { value: 'Yes', text: 'Yes' }), h('option', { value: 'No', text: 'No' }));
    case 'date': return h('input', { class: 'filter-value', type: 'date', attrs });
    case 'datetime': return h('input', { class: 'filter-value', type: 'datetime-local', attrs });
    case 'int': return h('input', { class: 'filter-value', type: 'number', step: '1', attrs });
    case 'decimal': return h('input', { class: 'filter-value', type: 'number', step: 'any', attrs });
    default: return h('input', { class: 'filter-value', type: 'search', placeholder: 'Value', autocomplete: 'off', spellcheck: false, attrs });
  }
}

/** The filters to send: [{field, operator, value}] for rows that have a value. */
export function currentFilters() {
  return [...document.querySelectorAll('#filters .filter-row')].map((row) => {
    const field = row.querySelector('.filter-field').value;
    const operator = row.querySelector('.filter-op').value;
    const input = row.querySelector('.filter-value');
    let value;
    if (input.multiple) value = [...input.selectedOptions].map((o) => o.value);
    else if (row.dataset.kind === 'date') value = input.value || null;  // a calendar day: matches the whole day
    else if (row.dataset.kind === 'datetime') value = input.value ? new Date(input.value).toISOString() : null;
    else value = input.value.trim();
    const empty = value === null || value === '' || (Array.isArray(value) && value.length === 0);
    return empty ? null : { field, operator, value };
  }).filter(Boolean);
}
