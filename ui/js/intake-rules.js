// A folder's intake settings (#rules-dialog): the naming rule that reads fields out of file
// names (a pattern with {field} tokens, or a regular expression with named groups), and which
// fields the embedded metadata (title, description, keywords, creator) goes to. A test box
// shows what a sample file name gives (`try_intake_name`); the backend checks everything
// against the folder's fields when saved (`save_intake_settings`).
import { h, $, replaceChildren, debounce } from './dom.js';
import { api, describeError } from './api.js';
import { state, folderStore } from './state.js';
import { showToast, showError } from './toast.js';
import { cellsOf } from './intake-model.js';

const METADATA = [
  ['title', 'Title'], ['description', 'Description'], ['keywords', 'Keywords'], ['creator', 'Creator'],
];
let folderId = null;
let ticket = 0;

export function initIntakeRules() {
  const dialog = $('#rules-dialog');
  $('#rules-close').addEventListener('click', () => dialog.close());
  $('#rules-cancel').addEventListener('click', () => dialog.close());
  $('#rules-save').addEventListener('click', save);
  $('#rules-remove').addEventListener('click', removeAll);
  for (const el of ['#rules-kind-none', '#rules-kind-pattern', '#rules-kind-regex']) $(el).addEventListener('change', kindChanged);
  const retest = debounce(runTest, 250);
  for (const el of ['#rules-pattern', '#rules-regex', '#rules-sample']) $(el).addEventListener('input', retest);
  $('#rules-dash').addEventListener('change', retest);
  $('#rules-metadata').addEventListener('change', retest);
  folderStore.subscribe(() => { if (dialog.open) dialog.close(); });
}

/** The folder "⋯" menu's items for intake. */
export function intakeItems() {
  if (!state.folderId) return [];
  return [{ label: 'Naming rules and metadata…', onSelect: openRules }];
}

export async function openRules() {
  folderId = state.folderId;
  if (!folderId) { showToast('Choose a folder first.'); return; }
  let settings;
  try {
    settings = await api.intakeSettings(folderId);
  } catch (err) { showError('Could not read the folder’s naming rules.', err); return; }
  if (state.folderId !== folderId) return;
  fill(settings || {});
  $('#rules-folder').textContent = `For new images in ${state.folders.find((f) => f.id === folderId)?.name || 'this folder'}.`;
  showMessage('');
  $('#rules-dialog').showModal();
  runTest();
}

function specs() {
  return (state.fields?.fields || []).filter((f) => f && typeof f.fieldId === 'string');
}

function fill(settings) {
  const rule = settings.rule || null;
  $('#rules-kind-none').checked = !rule;
  $('#rules-kind-pattern').checked = rule?.kind === 'pattern';
  $('#rules-kind-regex').checked = rule?.kind === 'regex';
  $('#rules-pattern').value = rule?.kind === 'pattern' ? rule.pattern || '' : '';
  $('#rules-dash').checked = rule?.kind === 'pattern' ? rule.dashAsSpace !== false : true;
  $('#rules-regex').value = rule?.kind === 'regex' ? rule.regex || '' : '';
  // Tokens for the fields a rule can fill: editable ones, and the number and name.
  const fillable = specs().filter((f) => f.editable || ['header_number', 'header_name'].includes(f.fieldId));
  replaceChildren($('#rules-tokens'), fillable.map((f) => h('button', {
    type: 'button', class: 'chip', title: f.label,
    on: { click: () => insertToken(f.fieldId) },
  }, `{${f.fieldId}}`)));
  const mapping = settings.metadata || {};
  replaceChildren($('#rules-metadata-fields'), METADATA.map(([key, label]) => h('label', { class: 'field' },
    h('span', { class: 'field-label' }, label),
    h('select', { dataset: { meta: key } },
      h('option', { value: '' }, 'Not used'),
      specs().filter((f) => f.editable && !['header_number', 'header_name'].includes(f.fieldId))
        .map((f) => h('option', { value: f.fieldId, selected: mapping[key] === f.fieldId }, f.label))))));
  kindChanged();
}

function insertToken(fieldId) {
  const input = $('#rules-pattern');
  if (!$('#rules-kind-pattern').checked) { $('#rules-kind-pattern').checked = true; kindChanged(); }
  const at = input.selectionStart ?? input.value.length;
  input.value = `${input.value.slice(0, at)}{${fieldId}}${input.value.slice(input.selectionEnd ?? at)}`;
  input.focus();
  runTest();
}

function kindChanged() {
  $('#rules-pattern-group').hidden = !$('#rules-kind-pattern').checked;
  $('#rules-regex-group').hidden = !$('#rules-kind-regex').checked;
  runTest();
}

/** The settings as the form shows them (IntakeSettings). */
function current() {
  let rule = null;
  if ($('#rules-kind-pattern').checked) rule = { kind: 'pattern', pattern: $('#rules-pattern').value, dashAsSpace: $('#rules-dash').checked };
  if ($('#rules-kind-regex').checked) rule = { kind: 'regex', regex: $('#rules-regex').value, groups: {} };
  const metadata = {};
  for (const select of $('#rules-metadata-fields').querySelectorAll('select[data-meta]')) metadata[select.dataset.meta] = select.value || null;
  return { rule, metadata };
}

async function runTest() {
  const sample = $('#rules-sample').value.trim();
  const out = $('#rules-result');
  if (!sample || !folderId) { replaceChildren(out, h('p', { class: 'muted' }, 'Type a file name to see what it gives.')); return; }
  const mine = ++ticket;
  try {
    const row = await api.tryIntakeName(folderId, current(), sample);
    if (mine !== ticket) return;
    replaceChildren(out, h('dl', { class: 'rules-result-list' }, [...cellsOf(row).values()].map((c) => [
      h('dt', {}, c.label),
      h('dd', { class: c.problem ? 'invalid' : '' }, c.text || '—', c.problem ? h('div', { class: 'intake-problem' }, c.problem) : null),
    ])), row.note ? h('p', { class: 'intake-problem' }, row.note) : null);
  } catch (err) {
    if (mine === ticket) replaceChildren(out, h('p', { class: 'intake-problem' }, describeError(err).message || String(err)));
  }
}

async function save() {
  try {
    await api.saveIntakeSettings(folderId, current());
    $('#rules-dialog').close();
    showToast('Naming rules saved: new uploads into this folder are previewed first.');
  } catch (err) { showMessage(describeError(err).message || String(err)); }
}

async function removeAll() {
  try {
    await api.saveIntakeSettings(folderId, { rule: null, metadata: {} });
    $('#rules-dialog').close();
    showToast('Naming rules removed: files upload with their file names again.');
  } catch (err) { showMessage(describeError(err).message || String(err)); }
}

function showMessage(text) {
  $('#rules-message').textContent = text;
  $('#rules-message').hidden = !text;
}
