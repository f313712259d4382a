// The intake preview (#intake-dialog): a drop, "Add files…" or paste into a folder with a naming
// rule or metadata mapping shows each file's number, name and field values before anything is
// created. Cells the backend marks invalid are flagged with the reason and can be fixed in
// place (`edit_intake_cell` checks the row again); files can be skipped; "Upload" queues the
// rest with their values (`commit_intake`), or "with valid values only". Closing cancels.
import { h, $, replaceChildren } from './dom.js';
import { api, describeError } from './api.js';
import { state } from './state.js';
import { showToast, showError } from './toast.js';
import { presetFor } from './upload-target.js';
import {
  intakeModel, rowOrder, cellsOf, rowProblems, summaryText, uploadActions, sourceText, ROWS_SHOWN,
} from './intake-model.js';

let model = null;
let skipped = new Set();
let showAll = false;
let busy = false;

export function initIntake() {
  const dialog = $('#intake-dialog');
  $('#intake-close').addEventListener('click', () => dialog.close());
  $('#intake-cancel').addEventListener('click', () => dialog.close());
  $('#intake-upload').addEventListener('click', () => commit(false));
  $('#intake-valid-only').addEventListener('click', () => commit(true));
  dialog.addEventListener('close', () => {
    if (model?.planId && !busy) api.cancelIntake(model.planId).catch(() => {});
    model = null;
  });
}

/** Shows `preview` (plan_intake's answer). */
export function openIntake(preview) {
  model = intakeModel(preview);
  skipped = new Set();
  showAll = false;
  busy = false;
  $('#intake-message').hidden = true;
  render();
  const dialog = $('#intake-dialog');
  if (!dialog.open) dialog.showModal();
  (dialog.querySelector('.intake-cell.invalid input') || $('#intake-upload')).focus();
}

function folderName() {
  return state.folders.find((f) => f.id === model?.folderId)?.name || 'this folder';
}

function render() {
  if (!model) return;
  const preset = presetFor(model.folderId);
  $('#intake-summary').textContent = summaryText(model, folderName(), skipped)
    + (preset ? ` The preset “${preset.name}” fills in the fields the files leave empty.` : '');
  const ordered = rowOrder(model);
  const shown = showAll ? ordered : ordered.slice(0, ROWS_SHOWN);
  const head = h('tr', {},
    h('th', { scope: 'col', class: 'intake-keep' }, 'Upload'),
    h('th', { scope: 'col' }, 'File'),
    model.columns.map((c) => h('th', { scope: 'col' }, c.label)));
  const body = shown.map(({ index, row }) => rowEl(index, row));
  const more = ordered.length > shown.length
    ? h('button', { type: 'button', class: 'button', on: { click: () => { showAll = true; render(); } } },
      `Show all ${ordered.length.toLocaleString()} files`)
    : null;
  replaceChildren($('#intake-body'),
    h('div', { class: 'intake-scroll' },
      h('table', { class: 'intake-table', attrs: { 'aria-label': 'Files and the values they will get' } },
        h('thead', {}, head), h('tbody', {}, body))),
    more);
  renderActions();
}

function rowEl(index, row) {
  const cells = cellsOf(row);
  const problems = rowProblems(row);
  const isSkipped = skipped.has(index);
  const keep = h('input', {
    type: 'checkbox', checked: !isSkipped,
    attrs: { 'aria-label': `Upload ${row.fileName}` },
    on: { change: (e) => { if (e.target.checked) skipped.delete(index); else skipped.add(index); render(); } },
  });
  return h('tr', { class: ['intake-row', problems.length ? 'has-problem' : '', isSkipped ? 'skipped' : ''], dataset: { row: String(index) } },
    h('td', { class: 'intake-keep' }, keep),
    h('th', { scope: 'row', class: 'intake-file' }, row.fileName, row.note ? h('div', { class: 'intake-note muted' }, row.note) : null),
    model.columns.map((c) => cellEl(index, c, cells.get(c.fieldId))));
}

function cellEl(index, column, cell) {
  const text = cell?.text ?? '';
  const problem = cell?.problem || '';
  const problemId = problem ? `intake-problem-${index}-${column.fieldId}` : null;
  const input = h('input', {
    type: 'text', value: text, disabled: skipped.has(index),
    attrs: {
      'aria-label': `${column.label} of ${model.rows[index].row.fileName}`,
      'aria-invalid': problem ? 'true' : null,
      'aria-describedby': problemId,
      title: sourceText(cell?.source),
    },
    on: {
      change: (e) => editCell(index, column.fieldId, e.target.value),
      keydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); e.target.blur(); } },
    },
  });
  return h('td', { class: ['intake-cell', problem ? 'invalid' : '', cell?.source ? `from-${cell.source}` : ''] },
    input,
    problem ? h('div', { id: problemId, class: 'intake-problem', attrs: { role: 'note' } }, problem) : null);
}

async function editCell(index, fieldId, text) {
  if (!model) return;
  const planId = model.planId;
  try {
    const row = await api.editIntakeCell(planId, index, fieldId, text);
    if (!model || model.planId !== planId) return;
    model.rows[index] = { index, row };
    render();
    const next = $(`#intake-body tr[data-row="${index}"] .intake-cell.invalid input`);
    if (next) next.focus();
  } catch (err) {
    showMessage(describeError(err).message || String(err));
  }
}

function renderActions() {
  const actions = uploadActions(model, skipped);
  const upload = $('#intake-upload');
  upload.textContent = actions.upload.label;
  upload.disabled = busy || !actions.upload.enabled;
  const validOnly = $('#intake-valid-only');
  validOnly.hidden = !actions.validOnly.shown;
  validOnly.disabled = busy || !actions.validOnly.enabled;
  $('#intake-blocked').textContent = actions.blocked;
  $('#intake-blocked').hidden = !actions.blocked;
}

function showMessage(text) {
  const el = $('#intake-message');
  el.textContent = text;
  el.hidden = !text;
}

async function commit(validOnly) {
  if (!model || busy) return;
  busy = true;
  renderActions();
  const planId = model.planId;
  try {
    const res = await api.commitIntake(planId, { skip: [...skipped], validOnly });
    $('#intake-dialog').close();
    const refused = res.rejected || [];
    const queued = `${Number(res.accepted || 0).toLocaleString()} queued for upload`;
    showToast(refused.length ? `${queued}; ${refused.length} refused (${refused[0].name}: ${refused[0].reason}).` : `${queued}.`);
  } catch (err) {
    busy = false;
    if (!model) { showError('Could not queue the files.', err); return; }
    showMessage(describeError(err).message || String(err));
    renderActions();
  }
}
