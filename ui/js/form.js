// The attribute form: renders the fields the backend describes (`image_form`: each field's
// widget, editability, choices, unit and value) and reads widget values back. Which widget a
// field gets, what may be edited and how values are encoded is decided in Rust; this module
// shows it, tracks what changed and checks only what the user typed (widgets.js).
import { h } from './dom.js';
import { choicesFrom } from './choices.js';
import { controlOf, toText, fromText, sameValue, isEmpty } from './widgets.js';

function buildControl(field, control, inputId) {
  const common = { id: inputId, dataset: { fieldId: field.fieldId }, attrs: { name: field.fieldId } };
  const choices = field.choices || [];
  switch (control) {
    case 'textarea': return h('textarea', { ...common, rows: 3 });
    case 'select':
      return h('select', common, h('option', { value: '', text: '—' }), choices.map((c) => h('option', { value: c.value, text: c.label })));
    case 'multiselect':
      return h('select', { ...common, multiple: true, size: Math.min(6, Math.max(3, choices.length)) },
        choices.map((c) => h('option', { value: c.value, text: c.label })));
    case 'checkbox': return h('input', { ...common, type: 'checkbox' });
    case 'date': return h('input', { ...common, type: 'date' });
    case 'datetime': return h('input', { ...common, type: 'datetime-local' });
    case 'number':
      return h('input', { ...common, type: 'text', attrs: { ...common.attrs, inputmode: field.widget === 'integer' ? 'numeric' : 'decimal' }, autocomplete: 'off' });
    case 'readonly': return h('input', { ...common, type: 'text', readOnly: true, tabIndex: 0, class: 'readonly', attrs: { ...common.attrs, 'aria-readonly': 'true' } });
    default: {
      const suggest = control === 'picker' || control === 'list' || (field.widget === 'combo' && choices.length);
      return h('input', { ...common, type: 'text', autocomplete: 'off', spellcheck: false, attrs: { ...common.attrs, list: suggest ? `${inputId}-choices` : null } });
    }
  }
}

/** One row of the form; keeps the field, its control and the value loaded. */
function createRow(field, index) {
  const control = field.editable ? controlOf(field.widget) : 'readonly';
  const inputId = `field-${index}`;
  const widget = buildControl(field, control, inputId);
  const required = field.required && field.editable;
  if (required && control !== 'checkbox') widget.required = true;
  const label = h('label', { class: 'field-label', htmlFor: inputId },
    h('span', { text: field.label }),
    required ? h('span', { class: 'required-mark', attrs: { 'aria-hidden': 'true', title: 'Required' }, text: '*' }) : null);
  const parts = [widget];
  if (control === 'checkbox') parts.splice(0, 1, h('label', { class: 'switch' }, widget, h('span', { class: 'switch-text', text: 'No' })));
  if (field.unit) parts.push(h('span', { class: 'field-unit', text: field.unit }));
  const datalist = widget.getAttribute?.('list') ? h('datalist', { id: widget.getAttribute('list') }) : null;
  const rowEl = h('div', {
    class: ['field', `field-${field.widget}`, field.fieldId === 'header_name' || control === 'textarea' ? 'field-wide' : ''],
    dataset: { fieldRow: field.fieldId },
  }, label, h('div', { class: 'field-control' }, parts), datalist);
  const row = { field, control, widget, el: rowEl, datalist, options: field.choices || [], loaded: field.value, original: undefined };
  if (datalist) fillSuggestions(row);
  return row;
}

/** A picked user or partner with the label its option has (the server may send only an id). */
function relabelled(value, options) {
  const label = (v) => {
    const option = v && typeof v === 'object' ? options.find((o) => o.value === v.value) : null;
    return option ? { value: v.value, label: option.label } : v;
  };
  return Array.isArray(value) ? value.map(label) : label(value);
}

function fillSuggestions(row) {
  const show = (options) => {
    row.options = options;
    row.datalist.replaceChildren(...options.map((o) => h('option', { value: o.label, text: o.detail || null })));
    // Names instead of ids in a picker the user has not touched yet.
    const picks = row.control === 'picker' || row.field.widget === 'users';
    if (picks && row.widget.value === toText(row.field, row.loaded)) {
      row.loaded = relabelled(row.loaded, options);
      row.widget.value = toText(row.field, row.loaded);
    }
  };
  show(row.options);
  if (row.field.choicesSource) {
    choicesFrom(row.field.choicesSource).then(show, (err) => {
      // Names already set still read as themselves; new ones need the list.
      row.el.append(h('div', { class: 'field-note muted', text: `The list of names could not be loaded (${err?.message || err}); reopen the image to try again.` }));
    });
  }
}

/** Puts a widget value into the row's control. Values not among a select's choices stay, marked. */
function writeRow(row, value) {
  const { widget, control } = row;
  switch (control) {
    case 'select': {
      const v = value ?? '';
      if (v && ![...widget.options].some((o) => o.value === v)) widget.append(h('option', { value: v, text: `${v} (not in list)` }));
      widget.value = v;
      break;
    }
    case 'multiselect': {
      const values = Array.isArray(value) ? value : [];
      for (const v of values) {
        if (![...widget.options].some((o) => o.value === v)) widget.append(h('option', { value: v, text: `${v} (not in list)` }));
      }
      for (const o of widget.options) o.selected = values.includes(o.value);
      break;
    }
    case 'checkbox':
      widget.checked = value === true;
      widget.indeterminate = value === null || value === undefined;
      syncSwitchText(row);
      break;
    default: widget.value = toText(row.field, value);
  }
}

function syncSwitchText(row) {
  const text = row.widget.nextElementSibling;
  if (text) text.textContent = row.widget.indeterminate ? '—' : row.widget.checked ? 'Yes' : 'No';
}

/** The row's widget value: `{value}` or `{error}`. */
function readRow(row) {
  const { widget, control, field } = row;
  switch (control) {
    case 'select': return { value: widget.value };
    case 'multiselect': return { value: [...widget.selectedOptions].map((o) => o.value) };
    case 'checkbox': return { value: widget.indeterminate ? null : widget.checked };
    case 'date': case 'datetime':
      if (widget.validity?.badInput) return { error: control === 'date' ? 'Enter a valid date.' : 'Enter a valid date and time.' };
      return fromText(field, widget.value);
    default: return fromText(field, widget.value, { options: row.options, current: row.loaded });
  }
}

/**
 * Renders `fields` (from `image_form`) into `container` (a <form>). Returns a controller:
 * {load, isDirty, validate, showServerError, changedFields, filledFields, focusFirst}.
 */
export function createForm(container, { fields, onDirtyChange }) {
  let rows = [];
  let lastDirty = false;

  const editable = () => rows.filter((r) => r.field.editable);
  const notify = () => {
    const dirty = isDirty();
    if (dirty !== lastDirty) { lastDirty = dirty; onDirtyChange?.(dirty); }
  };

  /** Shows `next` (a fresh `image_form` answer): rebuilt, so its fields and values are the backend's. */
  function load(next) {
    // A save reloads the form: the keyboard focus stays on the field it was on.
    const focused = container.contains(document.activeElement) ? document.activeElement.dataset.fieldId : null;
    container.replaceChildren();
    rows = (next || []).map(createRow);
    for (const row of rows) {
      container.append(row.el);
      writeRow(row, row.field.value);
      row.original = row.field.editable ? readRow(row).value : undefined;
      const event = ['checkbox', 'select', 'multiselect'].includes(row.control) ? 'change' : 'input';
      row.widget.addEventListener(event, () => {
        if (row.control === 'checkbox') syncSwitchText(row);
        clearError(row);
        notify();
      });
    }
    lastDirty = false;
    onDirtyChange?.(false);
    if (focused) rows.find((r) => r.field.fieldId === focused)?.widget.focus();
  }

  function isDirty() {
    return editable().some((r) => {
      const read = readRow(r);
      return read.error !== undefined || !sameValue(read.value, r.original);
    });
  }

  function clearError(r) {
    if (!r) return;
    r.el.classList.remove('has-error');
    r.widget.removeAttribute('aria-invalid');
    r.el.querySelector('.field-error')?.remove();
  }

  function setError(r, message) {
    clearError(r);
    r.el.classList.add('has-error');
    r.widget.setAttribute('aria-invalid', 'true');
    const id = `${r.widget.id}-error`;
    r.widget.setAttribute('aria-describedby', id);
    r.el.append(h('div', { class: 'field-error', id, attrs: { role: 'alert' }, text: message }));
  }

  /** Checks what the user typed and required fields; marks problems. Returns true if all is well. */
  function validate() {
    let firstBad = null;
    for (const r of editable()) {
      const read = readRow(r);
      let problem = read.error || null;
      if (!problem && r.field.required && r.control !== 'checkbox' && isEmpty(read.value)) problem = `${r.field.label} is required.`;
      if (problem) { setError(r, problem); firstBad ||= r; } else clearError(r);
    }
    firstBad?.widget.focus();
    return !firstBad;
  }

  /**
   * Puts a refused save's reasons next to their fields: the server's per-field messages where
   * it sent them (`err.fields`), else its message next to every field it names. Returns true
   * if one matched.
   */
  function showServerError(err) {
    const byId = new Map(editable().map((r) => [r.field.fieldId.toLowerCase(), r]));
    let matched = false;
    for (const { field, message } of err?.fields || []) {
      const r = byId.get(String(field || '').toLowerCase());
      if (r) { setError(r, message); matched = true; }
    }
    if (matched) return true;
    const text = String(err?.message || '').toLowerCase();
    for (const r of editable()) {
      const names = [r.field.fieldId, r.field.label].filter(Boolean).map((s) => s.toLowerCase());
      if (names.some((n) => n.length > 1 && text.includes(n))) { setError(r, err.message); matched = true; }
    }
    return matched;
  }

  load(fields);

  return {
    load,
    isDirty,
    validate,
    showServerError,
    /** [{id, value}] widget values of the fields that differ from what was loaded. */
    changedFields: () => editable()
      .map((r) => ({ r, v: readRow(r).value }))
      .filter(({ r, v }) => !sameValue(v, r.original))
      .map(({ r, v }) => ({ id: r.field.fieldId, value: v })),
    /** [{id, value}] every editable field with a value (used when creating). */
    filledFields: () => editable()
      .map((r) => ({ r, value: readRow(r).value }))
      .filter(({ value }) => !isEmpty(value))
      .map(({ r, value }) => ({ id: r.field.fieldId, value })),
    focusFirst: () => editable()[0]?.widget.focus(),
  };
}
