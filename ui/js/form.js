// The attribute form: folder schema → one widget per field, values decoded from an ImageHeader
// and encoded back per field type. Tracks dirty state and validates before saving.
import { h } from './dom.js';
import {
  widgetKind, choices, displayValue, isoToDateInput, dateInputToIso, isoToDateTimeInput,
  dateTimeInputToIso, truthy,
} from './fields.js';

const INVALID = Symbol('invalid');
const CORE_FIELDS = [
  { fieldId: 'header_number', fieldName: 'Image Number', fieldType: 'Text', required: true, properties: {} },
  { fieldId: 'header_name', fieldName: 'Image Name', fieldType: 'Text', required: true, properties: {} },
];

/** Schema fields to show: active ones in schema order, the two core fields always first. */
function formFields(schema, image) {
  const list = (schema || []).filter((f) => f && f.fieldId && f.active !== false);
  const ids = new Set(list.map((f) => f.fieldId));
  const core = CORE_FIELDS.filter((f) => !ids.has(f.fieldId));
  // Values the server has but the schema does not describe are still shown (read-only).
  const extra = (image?.headerData?.fields || [])
    .filter((f) => f.id && !ids.has(f.id) && !CORE_FIELDS.some((c) => c.fieldId === f.id))
    .map((f) => ({ fieldId: f.id, fieldName: f.name || f.id, fieldType: 'Auto', required: false, properties: {} }));
  // Editable attributes first; bookkeeping (version, created/modified by, formulas) at the end.
  const all = [...core, ...list, ...extra];
  const first = all.filter((f) => f.fieldId === 'header_number' || f.fieldId === 'header_name');
  const rest = all.filter((f) => !first.includes(f));
  return [...first, ...rest.filter((f) => widgetKind(f) !== 'readonly'), ...rest.filter((f) => widgetKind(f) === 'readonly')];
}

function buildWidget(field, kind, inputId) {
  const common = { id: inputId, dataset: { fieldId: field.fieldId }, attrs: { name: field.fieldId } };
  switch (kind) {
    case 'memo': return h('textarea', { ...common, rows: 3 });
    case 'select':
      return h('select', common, h('option', { value: '', text: '—' }), choices(field).map((c) => h('option', { value: c, text: c })));
    case 'multi':
      return h('select', { ...common, multiple: true, size: Math.min(6, Math.max(3, choices(field).length)) },
        choices(field).map((c) => h('option', { value: c, text: c })));
    case 'bool': return h('input', { ...common, type: 'checkbox' });
    case 'date': return h('input', { ...common, type: 'date' });
    case 'datetime': return h('input', { ...common, type: 'datetime-local' });
    case 'int': return h('input', { ...common, type: 'number', step: '1', attrs: { ...common.attrs, inputmode: 'numeric' } });
    case 'decimal': return h('input', { ...common, type: 'number', step: 'any', attrs: { ...common.attrs, inputmode: 'decimal' } });
    case 'readonly': return h('input', { ...common, type: 'text', readOnly: true, tabIndex: 0, class: 'readonly' });
    default: {
      const list = choices(field);
      const input = h('input', { ...common, type: 'text', autocomplete: 'off', spellcheck: false });
      if (kind === 'text' && list.length) input.setAttribute('list', `${inputId}-choices`);
      return input;
    }
  }
}

/** Puts an API value into a widget. Values not among a select's choices are kept as extra options. */
function writeWidget(el, kind, value) {
  switch (kind) {
    case 'select': {
      const v = value == null ? '' : String(value);
      if (v && ![...el.options].some((o) => o.value === v)) el.append(h('option', { value: v, text: `${v} (not in list)` }));
      el.value = v;
      break;
    }
    case 'multi': {
      const values = (Array.isArray(value) ? value : typeof value === 'string' && value ? value.split('■') : []).map(String);
      for (const v of values) {
        if (![...el.options].some((o) => o.value === v)) el.append(h('option', { value: v, text: `${v} (not in list)` }));
      }
      for (const o of el.options) o.selected = values.includes(o.value);
      break;
    }
    case 'bool':
      el.checked = truthy(value);
      if (el.nextElementSibling) el.nextElementSibling.textContent = el.checked ? 'Yes' : 'No';
      break;
    case 'date': el.value = isoToDateInput(value); break;
    case 'datetime': el.value = isoToDateTimeInput(value); break;
    case 'int': case 'decimal': el.value = value === null || value === undefined || value === '' ? '' : String(value); break;
    default: el.value = kind === 'readonly' ? displayValue(value) : (value == null ? '' : String(value));
  }
}

/** Reads a widget as the value the API expects; INVALID when the user typed something unparsable. */
function readWidget(el, kind) {
  switch (kind) {
    case 'select': return el.value;
    case 'multi': return [...el.selectedOptions].map((o) => o.value);
    case 'bool': return el.checked ? 'Yes' : 'No';
    case 'date': return el.validity.badInput ? INVALID : dateInputToIso(el.value);
    case 'datetime': return el.validity.badInput ? INVALID : dateTimeInputToIso(el.value);
    case 'int': {
      if (el.validity.badInput) return INVALID;
      if (el.value.trim() === '') return null;
      const n = Number(el.value);
      return Number.isInteger(n) ? n : INVALID;
    }
    case 'decimal': {
      if (el.validity.badInput) return INVALID;
      if (el.value.trim() === '') return null;
      const n = Number(el.value);
      return Number.isFinite(n) ? n : INVALID;
    }
    default: return el.value;
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const isEmpty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Renders the form into `container` (a <form>). Returns a controller:
 * {changedFields, filledFields, validate, showServerError, isDirty, load, focusFirst}.
 */
export function createForm(container, { schema, image, onDirtyChange }) {
  const rows = [];
  let lastDirty = false;
  container.replaceChildren();

  formFields(schema, image).forEach((field, index) => {
    const kind = widgetKind(field);
    const inputId = `field-${index}`;
    const widget = buildWidget(field, kind, inputId);
    const required = !!field.required && kind !== 'readonly';
    if (required) widget.required = true;
    if (kind === 'readonly') widget.setAttribute('aria-readonly', 'true');
    const label = h('label', { class: 'field-label', htmlFor: inputId },
      h('span', { text: field.fieldName || field.fieldId }),
      required ? h('span', { class: 'required-mark', attrs: { 'aria-hidden': 'true', title: 'Required' }, text: '*' }) : null);
    let control = widget;
    if (kind === 'bool') control = h('label', { class: 'switch' }, widget, h('span', { class: 'switch-text', text: 'No' }));
    const datalist = widget.getAttribute('list')
      ? h('datalist', { id: widget.getAttribute('list') }, choices(field).map((c) => h('option', { value: c }))) : null;
    const row = h('div', { class: ['field', `field-${kind}`, field.fieldId === 'header_name' || kind === 'memo' ? 'field-wide' : ''], dataset: { fieldRow: field.fieldId } },
      label, control, datalist);
    container.append(row);
    rows.push({ field, kind, widget, row, original: undefined });
    widget.addEventListener(kind === 'bool' || kind === 'select' || kind === 'multi' ? 'change' : 'input', () => {
      if (kind === 'bool') widget.nextElementSibling.textContent = widget.checked ? 'Yes' : 'No';
      clearError(rows.find((r) => r.widget === widget));
      notify();
    });
  });

  function notify() {
    const dirty = isDirty();
    if (dirty !== lastDirty) { lastDirty = dirty; onDirtyChange?.(dirty); }
  }

  function load(img) {
    const values = new Map((img?.headerData?.fields || []).map((f) => [f.id, f.value]));
    if (img) {
      if (!values.has('header_number')) values.set('header_number', img.headerNumber);
      if (!values.has('header_name')) values.set('header_name', img.headerName);
    }
    for (const r of rows) {
      writeWidget(r.widget, r.kind, values.get(r.field.fieldId));
      r.original = r.kind === 'readonly' ? undefined : readWidget(r.widget, r.kind);
      clearError(r);
    }
    lastDirty = false;
    onDirtyChange?.(false);
  }

  const editable = () => rows.filter((r) => r.kind !== 'readonly');

  function isDirty() {
    return editable().some((r) => !same(readWidget(r.widget, r.kind), r.original));
  }

  function clearError(r) {
    if (!r) return;
    r.row.classList.remove('has-error');
    r.widget.removeAttribute('aria-invalid');
    r.row.querySelector('.field-error')?.remove();
  }

  function setError(r, message) {
    clearError(r);
    r.row.classList.add('has-error');
    r.widget.setAttribute('aria-invalid', 'true');
    const id = `${r.widget.id}-error`;
    r.widget.setAttribute('aria-describedby', id);
    r.row.append(h('div', { class: 'field-error', id, attrs: { role: 'alert' }, text: message }));
  }

  /** Checks required and parsable values; marks problems with .field-error. Returns true if OK. */
  function validate() {
    let firstBad = null;
    for (const r of editable()) {
      const v = readWidget(r.widget, r.kind);
      let problem = null;
      if (v === INVALID) problem = r.kind === 'int' ? 'Enter a whole number.' : r.kind === 'decimal' ? 'Enter a number.' : 'Enter a valid date.';
      else if (r.field.required && r.kind !== 'bool' && isEmpty(v)) problem = `${r.field.fieldName || r.field.fieldId} is required.`;
      if (problem) { setError(r, problem); firstBad ||= r; } else clearError(r);
    }
    firstBad?.widget.focus();
    return !firstBad;
  }

  /** Puts the server's message next to every field it names. Returns true if one matched. */
  function showServerError(message) {
    const text = String(message || '').toLowerCase();
    let matched = false;
    for (const r of editable()) {
      const names = [r.field.fieldId, r.field.fieldName].filter(Boolean).map((s) => s.toLowerCase());
      if (names.some((n) => n.length > 1 && text.includes(n))) { setError(r, message); matched = true; }
    }
    return matched;
  }

  load(image);

  return {
    load,
    isDirty,
    validate,
    showServerError,
    /** [{id, value}] for fields that differ from what was loaded. */
    changedFields: () => editable()
      .map((r) => ({ r, v: readWidget(r.widget, r.kind) }))
      .filter(({ r, v }) => !same(v, r.original))
      .map(({ r, v }) => ({ id: r.field.fieldId, value: v })),
    /** [{id, value}] for every editable field with a value (used when creating). */
    filledFields: () => editable()
      .map((r) => ({ r, value: readWidget(r.widget, r.kind) }))
      .filter(({ r, value }) => !isEmpty(value) && !(r.kind === 'bool' && value === 'No'))
      .map(({ r, value }) => ({ id: r.field.fieldId, value })),
    focusFirst: () => editable()[0]?.widget.focus(),
  };
}
