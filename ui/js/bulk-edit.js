// The bulk-edit dialog (#bulk-edit-dialog): the user adds fields of the open folder and gives
// each an operation — set (the field's own widget, as the attribute form shows it), clear, and
// for list fields add or remove items — then "Preview" asks `plan_bulk_edit` what would change
// ("N images will change", per-field counts, before → after of the first images, the skipped
// ones with reasons) and "Apply" runs it in the background (`run_bulk`; the bulk panel shows
// the progress). "Save as preset…" saves the same operations under a name (`save_preset`).
// Which operations are allowed and which values fit is the backend's call: a refusal is shown
// next to the field it names (or above the buttons), and what the user typed stays.
import { h, $, replaceChildren, plural } from './dom.js';
import { api, describeError } from './api.js';
import { state, folderStore } from './state.js';
import { controlOf, toText, fromText } from './widgets.js';
import { choicesFrom } from './choices.js';
import { showToast } from './toast.js';
import { selectionArg, selectedCount, selection } from './selection.js';
import { startRun } from './bulk-progress.js';
import { presetsChanged } from './presets.js';
import {
  OP_LABELS, bulkEditableFields, opsFor, opTakesValue, buildEdits, rowsFromEdits, placeServerError,
  previewModel, selectionLabel,
} from './bulk-model.js';
import { reasonList, sampleList } from './bulk-lists.js';

let draft = { folderId: null, rows: [] };  // rows: {key, field, op, el, control, error}
let ctx = null;        // {folderId, sel, count, presetOnly} of the open dialog
let step = 'edit';
let plan = null;       // previewModel of the last preview
let busy = false;
let ticket = 0;        // answers for a dialog that was closed or reopened are dropped
let nextKey = 0;

const dialog = () => $('#bulk-edit-dialog');

export function initBulkEdit() {
  const d = dialog();
  $('#bulk-edit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (ctx?.presetOnly) savePreset(); else if (step === 'edit') preview();
  });
  $('#bulk-edit-close').addEventListener('click', close);
  $('#bulk-edit-cancel').addEventListener('click', close);
  $('#bulk-edit-back').addEventListener('click', () => { showMessage(null); showStep('edit'); });
  $('#bulk-edit-apply').addEventListener('click', apply);
  $('#bulk-add-button').addEventListener('click', addChosenField);
  $('#bulk-edit-save-preset').addEventListener('click', togglePresetRow);
  $('#bulk-preset-save-ok').addEventListener('click', savePreset);
  $('#bulk-preset-save-cancel').addEventListener('click', () => { $('#bulk-preset-save').hidden = true; $('#bulk-edit-save-preset').focus(); });
  $('#bulk-preset-name').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); savePreset(); } });
  d.addEventListener('close', () => { ticket += 1; ctx = null; setBusy(false); });
  folderStore.subscribe(() => { if (d.open) d.close(); draft = { folderId: null, rows: [] }; });
}

/**
 * Opens the dialog for the selection (or, `presetOnly`, to make a preset without one).
 * `edits`: start from these operations (a preset's); `preview`: ask for the preview at once;
 * `presetName`: the name "Save as preset…" suggests.
 */
export function openBulkEdit({ edits = null, preview: previewNow = false, presetName = '', presetOnly = false } = {}) {
  const folderId = state.folderId;
  if (!folderId) { showToast('Choose a folder first.'); return; }
  const fields = bulkEditableFields(state.fields?.fields);
  if (!fields.length) { showToast('This folder’s fields are not loaded, or none can be edited; open the folder again.', { error: true }); return; }
  const sel = presetOnly ? null : selectionArg();
  if (!presetOnly && !sel) { showToast('Select images first.'); return; }
  ticket += 1;
  ctx = { folderId, sel, count: presetOnly ? 0 : selectedCount(), presetOnly };
  if (draft.folderId !== folderId) draft = { folderId, rows: [] };
  let leftOut = 0;
  if (edits) {
    const { rows, unknown } = rowsFromEdits(edits, fields);
    draft.rows = [];
    for (const r of rows) addRow(r.field, r.op, r.value, { render: false });
    leftOut = unknown.length;
    if (leftOut) showMessage(`This folder has no field ${unknown.map((u) => `“${u}”`).join(', ')}; that part of the preset is left out.`);
    else showMessage(null);
  } else showMessage(null);
  $('#bulk-edit-title').textContent = presetOnly ? 'New preset' : `Edit ${plural(ctx.count, 'image', 'images')}`;
  const folder = state.folders.find((f) => f.id === folderId)?.name || 'this folder';
  $('#bulk-edit-target').textContent = presetOnly
    ? `Choose the field values of the preset for ${folder}.`
    : `${selectionLabel(selection.get(), ctx.count)} in ${folder}.${presetName ? ` Preset “${presetName}”.` : ''}`;
  $('#bulk-preset-name').value = presetName || '';
  $('#bulk-preset-save').hidden = !presetOnly;
  $('#bulk-preset-save-cancel').hidden = presetOnly;  // making a preset is what the dialog is for
  $('#bulk-preset-message').hidden = true;
  $('#bulk-edit-save-preset').hidden = presetOnly;
  renderRows();
  showStep('edit');
  if (!dialog().open) dialog().showModal();
  if (presetOnly) (draft.rows[0]?.el.querySelector('select') || $('#bulk-add-select')).focus();
  else if (previewNow && draft.rows.length && !leftOut) preview();  // else the user reads why first
  else (draft.rows[0]?.control.focusTarget || $('#bulk-add-select')).focus();
}

function close() {
  if (dialog().open) dialog().close();
}

// ---- rows ---------------------------------------------------------------------------------

function renderRows() {
  const box = $('#bulk-edit-rows');
  replaceChildren(box, draft.rows.length ? draft.rows.map((r) => r.el) : h('p', { class: 'muted bulk-rows-empty', text: 'Add the fields to change.' }));
  const fields = bulkEditableFields(state.fields?.fields);
  const used = new Set(draft.rows.map((r) => r.field.fieldId));
  const left = fields.filter((f) => !used.has(f.fieldId));
  const select = $('#bulk-add-select');
  replaceChildren(select, left.length
    ? left.map((f) => h('option', { value: f.fieldId, text: f.label || f.fieldId }))
    : h('option', { value: '', text: 'Every field is in the edit' }));
  select.disabled = !left.length;
  $('#bulk-add-button').disabled = !left.length;
}

function addChosenField() {
  const id = $('#bulk-add-select').value;
  const field = bulkEditableFields(state.fields?.fields).find((f) => f.fieldId === id);
  if (!field) return;
  const row = addRow(field, 'set', null);
  row.control.focusTarget?.focus();
}

function addRow(field, op, value, { render = true } = {}) {
  const key = `b${nextKey += 1}`;
  const typeable = controlOf(field.widget) !== 'readonly';
  const ops = opsFor(field, { typeable });
  const row = { key, field, op: ops.includes(op) ? op : ops[0], el: null, control: null };
  const opId = `bulk-${key}-op`;
  const opSelect = h('select', { id: opId, class: 'bulk-op' }, ops.map((o) => h('option', { value: o, text: OP_LABELS[o] })));
  opSelect.value = row.op;
  const valueBox = h('div', { class: 'bulk-row-value' });
  row.el = h('div', { class: 'bulk-row field', dataset: { key, fieldId: field.fieldId } },
    h('div', { class: 'bulk-row-head' },
      h('label', { class: 'bulk-row-label', htmlFor: opId, text: field.label || field.fieldId }),
      opSelect,
      h('button', {
        type: 'button', class: 'icon-button', text: '×',
        attrs: { 'aria-label': `Remove ${field.label || field.fieldId} from the edit`, title: 'Remove from the edit' },
        on: { click: () => removeRow(row) },
      })),
    valueBox,
    typeable ? null : h('div', { class: 'field-note muted', text: 'This field cannot be typed here; it can only be cleared.' }));
  const mount = (v) => {
    row.control = opTakesValue(row.op) ? buildValue(field, row.op, `bulk-${key}-value`) : { el: null, read: () => ({ value: null }), write() {}, focusTarget: opSelect };
    replaceChildren(valueBox, row.control.el);
    valueBox.hidden = !row.control.el;
    if (v !== undefined && v !== null) row.control.write(v);
  };
  opSelect.addEventListener('change', () => {
    // A list typed for "Add items" stays when switching to "Remove items" (and back).
    const keep = opTakesValue(row.op) ? row.control.read() : {};
    const wasList = row.op === 'add' || row.op === 'remove' || field.multi;
    row.op = opSelect.value;
    const isList = row.op === 'add' || row.op === 'remove' || field.multi;
    mount(keep.error === undefined && wasList === isList ? keep.value : null);
    clearRowError(row);
  });
  row.el.addEventListener('input', () => clearRowError(row));
  row.el.addEventListener('change', () => clearRowError(row));
  mount(value);
  draft.rows.push(row);
  if (render) renderRows();
  return row;
}

function removeRow(row) {
  const i = draft.rows.indexOf(row);
  draft.rows = draft.rows.filter((r) => r !== row);
  renderRows();
  const next = draft.rows[Math.min(i, draft.rows.length - 1)];
  (next?.el.querySelector('.bulk-op') || $('#bulk-add-select')).focus();
}

/** The value control for `op` on `field`: the widget the attribute form would show (widgets.js);
 * items to add or remove are a list. → {el, read() → {value}|{error}, write(value), focusTarget}. */
function buildValue(field, op, id) {
  const listOp = op === 'add' || op === 'remove';
  let control = controlOf(field.widget);
  if (listOp && control !== 'multiselect') control = 'list';
  const choices = field.choices || [];
  let options = choices;
  const label = op === 'add' ? `Items to add to ${field.label}` : op === 'remove' ? `Items to remove from ${field.label}` : `New value of ${field.label}`;
  const common = { id, attrs: { 'aria-label': label } };
  let input;
  let el;
  let datalist = null;
  switch (control) {
    case 'textarea': input = h('textarea', { ...common, rows: 2 }); break;
    case 'select':
      input = h('select', common, h('option', { value: '', text: '—' }), choices.map((c) => h('option', { value: c.value, text: c.label })));
      break;
    case 'multiselect':
      input = h('select', { ...common, multiple: true, size: Math.min(6, Math.max(3, choices.length)) }, choices.map((c) => h('option', { value: c.value, text: c.label })));
      break;
    case 'checkbox': input = h('input', { ...common, type: 'checkbox' }); break;
    case 'date': input = h('input', { ...common, type: 'date' }); break;
    case 'datetime': input = h('input', { ...common, type: 'datetime-local' }); break;
    case 'number':
      input = h('input', { ...common, type: 'text', autocomplete: 'off', attrs: { ...common.attrs, inputmode: field.widget === 'integer' ? 'numeric' : 'decimal' } });
      break;
    default: {
      const suggest = control === 'picker' || control === 'list' || (field.widget === 'combo' && choices.length) || !!field.choicesSource;
      input = h('input', { ...common, type: 'text', autocomplete: 'off', spellcheck: false, attrs: { ...common.attrs, list: suggest ? `${id}-choices` : null, placeholder: control === 'list' ? 'Separate items with commas' : null } });
      if (suggest) datalist = h('datalist', { id: `${id}-choices` });
    }
  }
  const fill = (list) => {
    options = list;
    datalist?.replaceChildren(...list.map((o) => h('option', { value: o.label, text: o.detail || null })));
  };
  if (datalist) {
    fill(options);
    if (field.choicesSource) choicesFrom(field.choicesSource).then(fill, () => {});
  }
  if (control === 'checkbox') {
    const text = h('span', { class: 'switch-text', text: 'No' });
    input.addEventListener('change', () => { text.textContent = input.checked ? 'Yes' : 'No'; });
    el = h('div', { class: 'field-control' }, h('label', { class: 'switch' }, input, text));
  } else {
    el = h('div', { class: 'field-control' }, input, field.unit && !listOp ? h('span', { class: 'field-unit', text: field.unit }) : null, datalist);
  }
  // Items of a list field other than tags and users are typed comma-separated, like tags.
  const asField = control === 'list' && !['tags', 'users'].includes(field.widget) ? { ...field, widget: 'tags' } : field;
  return {
    el,
    focusTarget: input,
    read() {
      switch (control) {
        case 'select': return { value: input.value };
        case 'multiselect': return { value: [...input.selectedOptions].map((o) => o.value) };
        case 'checkbox': return { value: input.checked };
        case 'date': case 'datetime':
          if (input.validity?.badInput) return { error: control === 'date' ? 'Enter a valid date.' : 'Enter a valid date and time.' };
          return fromText(field, input.value);
        default: return fromText(asField, input.value, { options });
      }
    },
    write(value) {
      switch (control) {
        case 'select': {
          const v = value ?? '';
          if (v && ![...input.options].some((o) => o.value === v)) input.append(h('option', { value: v, text: `${v} (not in list)` }));
          input.value = v;
          break;
        }
        case 'multiselect': {
          const values = Array.isArray(value) ? value : [];
          for (const v of values) if (![...input.options].some((o) => o.value === v)) input.append(h('option', { value: v, text: `${v} (not in list)` }));
          for (const o of input.options) o.selected = values.includes(o.value);
          break;
        }
        case 'checkbox':
          input.checked = value === true;
          input.dispatchEvent(new Event('change'));
          break;
        default: input.value = toText(asField, value);
      }
    },
  };
}

function clearRowError(row) {
  row.el.classList.remove('has-error');
  row.control?.focusTarget?.removeAttribute('aria-invalid');
  row.el.querySelector('.field-error')?.remove();
}

function setRowError(row, message) {
  clearRowError(row);
  row.el.classList.add('has-error');
  const id = `bulk-${row.key}-error`;
  const target = row.control?.focusTarget;
  target?.setAttribute('aria-invalid', 'true');
  target?.setAttribute('aria-describedby', id);
  row.el.append(h('div', { class: 'field-error', id, attrs: { role: 'alert' }, text: message }));
}

/** The edits of the rows, or null with the problems marked (what the user typed does not fit). */
function collect() {
  for (const r of draft.rows) clearRowError(r);
  const { edits, problems } = buildEdits(draft.rows.map((r) => ({
    fieldId: r.field.fieldId, op: r.op, read: opTakesValue(r.op) ? r.control.read() : undefined,
  })));
  if (!problems.length) return edits;
  for (const p of problems) setRowError(draft.rows[p.index], p.message);
  draft.rows[problems[0].index].control.focusTarget?.focus();
  return null;
}

/** A refusal from the backend: next to the rows it names, else in `box`. */
function showServerError(err, box = '#bulk-edit-message') {
  const placed = placeServerError(err, draft.rows.map((r) => ({ key: r.key, fieldId: r.field.fieldId, label: r.field.label })));
  let first = null;
  for (const [key, message] of placed.byKey) {
    const row = draft.rows.find((r) => r.key === key);
    if (row) { setRowError(row, message); first ||= row; }
  }
  if (placed.general) {
    const d = describeError(err);
    showMessage(err?.kind === 'invalid_input' ? placed.general : [d.title, d.message].filter(Boolean).join(' — '), box);
  }
  if (first && step !== 'edit') showStep('edit');
  first?.control.focusTarget?.focus();
}

function showMessage(text, box = '#bulk-edit-message') {
  for (const sel of ['#bulk-edit-message', '#bulk-preset-message']) {
    const el = $(sel);
    el.hidden = true;
    el.textContent = '';
  }
  if (text) {
    const el = $(box);
    el.textContent = text;
    el.hidden = false;
  }
}

// ---- preview and apply --------------------------------------------------------------------

function showStep(which) {
  step = which;
  $('#bulk-edit-step-edit').hidden = which !== 'edit';
  $('#bulk-edit-step-preview').hidden = which !== 'preview';
  const presetOnly = !!ctx?.presetOnly;
  $('#bulk-edit-back').hidden = which !== 'preview';
  $('#bulk-edit-preview').hidden = which !== 'edit' || presetOnly;
  $('#bulk-edit-apply').hidden = which !== 'preview';
  $('#bulk-edit-apply').disabled = busy || !plan?.canApply;
  $('#bulk-edit-save-preset').hidden = presetOnly || which !== 'edit';
  if (which === 'edit') {
    plan = null;
    (draft.rows[0]?.el.querySelector('.bulk-op') || $('#bulk-add-select')).focus();
  }
}

function setBusy(on, label) {
  busy = on;
  dialog().classList.toggle('is-busy', on);
  for (const id of ['#bulk-edit-preview', '#bulk-edit-back', '#bulk-preset-save-ok', '#bulk-edit-save-preset']) $(id).disabled = on;
  $('#bulk-edit-apply').disabled = on || !plan?.canApply;
  $('#bulk-edit-preview').textContent = on && label === 'preview' ? 'Previewing…' : 'Preview';
  $('#bulk-edit-apply').textContent = on && label === 'apply' ? 'Starting…' : 'Apply';
  $('#bulk-preset-save-ok').textContent = on && label === 'preset' ? 'Saving…' : 'Save preset';
}

async function preview() {
  if (!ctx || busy || ctx.presetOnly) return;
  showMessage(null);
  const edits = collect();
  if (!edits) return;
  const mine = ticket;
  setBusy(true, 'preview');
  try {
    const answer = await api.planBulkEdit(ctx.folderId, ctx.sel, edits);
    if (mine !== ticket) return;
    plan = previewModel(answer);
    renderPreview(plan);
    setBusy(false);
    showStep('preview');
    (plan.canApply ? $('#bulk-edit-apply') : $('#bulk-edit-back')).focus();
  } catch (err) {
    if (mine !== ticket) return;
    setBusy(false);
    showServerError(err);
  }
}

function renderPreview(m) {
  const box = $('#bulk-edit-step-preview');
  replaceChildren(box,
    h('p', { class: ['bulk-headline', m.changing ? '' : 'muted'], attrs: { role: 'status' }, text: m.headline }),
    m.notes.length ? h('p', { class: 'muted', text: `${m.notes.join(' · ')}.` }) : null,
    m.fields.length ? h('ul', { class: 'bulk-field-counts', attrs: { 'aria-label': 'Images changed per field' } },
      m.fields.map((f) => h('li', {}, h('span', { class: 'bulk-count-label', text: f.label }), h('span', { class: 'bulk-count-value', text: f.text })))) : null,
    m.sample.length ? h('details', { class: 'bulk-outcomes', open: true },
      h('summary', { text: 'Before → after' }),
      m.sampleNote ? h('p', { class: 'muted small', text: m.sampleNote }) : null,
      sampleList(m.sample)) : null,
    m.skipped.length ? h('details', { class: 'bulk-outcomes', open: m.skipped.length <= 10 },
      h('summary', { text: `Skipped (${m.skipped.length.toLocaleString()})` }),
      reasonList(m.skipped)) : null);
}

async function apply() {
  if (!ctx || busy || !plan?.canApply) return;
  const mine = ticket;
  setBusy(true, 'apply');
  try {
    await startRun(() => api.runBulk(plan.planId), 'edit');
    if (mine !== ticket) return;
    draft = { folderId: draft.folderId, rows: [] };
    close();
  } catch (err) {
    if (mine !== ticket) return;
    setBusy(false);
    const d = describeError(err);
    showMessage([d.title, d.message].filter(Boolean).join(' — '));
  }
}

// ---- presets -------------------------------------------------------------------------------

function togglePresetRow() {
  const row = $('#bulk-preset-save');
  row.hidden = !row.hidden;
  if (!row.hidden) $('#bulk-preset-name').focus();
}

async function savePreset() {
  if (!ctx || busy) return;
  showMessage(null);
  const name = $('#bulk-preset-name').value.trim();
  if (!name) { showMessage('Name the preset.', '#bulk-preset-message'); $('#bulk-preset-name').focus(); return; }
  const edits = collect();
  if (!edits) return;
  const mine = ticket;
  const { folderId, presetOnly } = ctx;
  setBusy(true, 'preset');
  try {
    const saved = await api.savePreset(folderId, name, edits);
    if (mine !== ticket) return;
    setBusy(false);
    showToast(`Saved the preset “${saved?.name || name}”.`);
    presetsChanged();
    if (presetOnly) close();
    else { $('#bulk-preset-save').hidden = true; $('#bulk-edit-save-preset').focus(); }
  } catch (err) {
    if (mine !== ticket) return;
    setBusy(false);
    showServerError(err, '#bulk-preset-message');
  }
}
