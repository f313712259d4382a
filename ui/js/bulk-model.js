// Pure view models of issue 13's bulk actions (selection bar, bulk-edit dialog, progress panel,
// spreadsheet import, presets): they turn the dialog's rows into the `edits` the backend
// checks, and the backend's answers (BulkPreview, BulkProgress, BulkFinished, ImportPreview,
// delete results) into the text the page shows. No DOM and no requests here, so node can test
// it (tests/js/bulk-model.test.mjs). What is allowed and what a value means is decided in Rust;
// these functions only word what it says.
import { plural } from './dom.js';

/** How each field operation reads in the dialog. */
export const OP_LABELS = Object.freeze({ set: 'Set to', clear: 'Clear', add: 'Add items', remove: 'Remove items' });

const num = (n) => (Number.isFinite(Number(n)) ? Number(n) : 0);
const images = (n) => plural(num(n), 'image', 'images');

/** The fields a bulk edit can name: editable ones except the image number (`state.fields.fields`). */
export function bulkEditableFields(fields) {
  return (Array.isArray(fields) ? fields : [])
    .filter((f) => f && f.editable && String(f.fieldId || '').toLowerCase() !== 'header_number');
}

/** The operations offered for a field: add/remove only for fields whose value is a list;
 * `typeable` false (a control the page cannot type into, e.g. a colour): clear only. */
export function opsFor(field, { typeable = true } = {}) {
  if (!typeable) return ['clear'];
  return field?.multi ? ['set', 'clear', 'add', 'remove'] : ['set', 'clear'];
}

/** Whether an operation takes a value from the user. */
export const opTakesValue = (op) => op !== 'clear';

/**
 * The `edits` array (image_library::bulk::FieldEdit JSON) for the dialog's rows.
 * rows: [{fieldId, op, read}] where `read` is the value control's `{value}` or `{error}` (what
 * the user typed does not fit its widget); `clear` rows need no read.
 * → {edits, problems: [{index, fieldId, message}]}; `edits` is only meant to be sent when
 * `problems` is empty.
 */
export function buildEdits(rows) {
  const edits = [];
  const problems = [];
  (rows || []).forEach((row, index) => {
    const { fieldId, op } = row;
    if (op === 'clear') { edits.push({ fieldId, op: 'clear' }); return; }
    const read = row.read || { value: null };
    if (read.error !== undefined) { problems.push({ index, fieldId, message: read.error }); return; }
    if (op === 'add' || op === 'remove') {
      const v = read.value;
      const items = Array.isArray(v) ? v : v === null || v === undefined || v === '' ? [] : [v];
      edits.push({ fieldId, op, value: items });
      return;
    }
    edits.push({ fieldId, op: 'set', value: read.value === undefined ? null : read.value });
  });
  return { edits, problems };
}

/**
 * Rows for the dialog from saved edits (a preset): [{field, op, value}] in order, and the
 * field ids this folder no longer has (the backend will say what is wrong if they are sent).
 */
export function rowsFromEdits(edits, fields) {
  const byId = new Map((fields || []).map((f) => [String(f.fieldId).toLowerCase(), f]));
  const rows = [];
  const unknown = [];
  for (const e of edits || []) {
    const field = byId.get(String(e?.fieldId || '').toLowerCase());
    if (!field) { unknown.push(e?.fieldId); continue; }
    const op = ['set', 'clear', 'add', 'remove'].includes(e.op) ? e.op : 'set';
    rows.push({ field, op, value: op === 'clear' ? null : e.value });
  }
  return { rows, unknown };
}

/**
 * Where a refused preview / preset save goes: the server's per-field messages (ApiError
 * `fields`: [{field, message}]) next to their rows; otherwise its message next to every row
 * whose field id or label it names; otherwise in the dialog's message box.
 * rows: [{key, fieldId, label}] → {byKey: Map(key → message), general: message|null}.
 */
export function placeServerError(err, rows) {
  const byKey = new Map();
  const list = rows || [];
  const byId = new Map(list.map((r) => [String(r.fieldId || '').toLowerCase(), r]));
  const unplaced = [];
  for (const f of (err && Array.isArray(err.fields) ? err.fields : [])) {
    const r = byId.get(String(f?.field || '').toLowerCase());
    if (r) byKey.set(r.key, String(f.message ?? ''));
    else if (f?.message) unplaced.push(String(f.message));
  }
  if (byKey.size) return { byKey, general: unplaced.length ? unplaced.join(' ') : null };
  const message = String(err?.message || '');
  if (err?.kind === 'invalid_input' && message) {
    const text = message.toLowerCase();
    for (const r of list) {
      // Longest names first would matter only for labels inside other labels; ids are exact.
      const names = [r.fieldId, r.label].filter(Boolean).map((s) => String(s).toLowerCase());
      if (names.some((n) => n.length > 1 && text.includes(n))) byKey.set(r.key, message);
    }
  }
  if (byKey.size) return { byKey, general: null };
  return { byKey, general: message || 'The edit was refused.' };
}

/** The bar's count: "37 selected", "All 1,204 matching", or "1,190 of 1,204 matching". */
export function selectionLabel(sel, count) {
  if (!sel || sel.mode === 'none') return '';
  if (sel.mode === 'all') {
    const total = num(sel.total);
    const except = sel.ids?.size ?? 0;
    return except ? `${num(count).toLocaleString()} of ${total.toLocaleString()} matching` : `All ${total.toLocaleString()} matching`;
  }
  return `${num(count).toLocaleString()} selected`;
}

/** "SS27-014 — Paisley border", the number alone, the name alone, or the id. */
export function imageLabel(image) {
  if (!image) return '';
  const number = String(image.number ?? '').trim();
  const name = String(image.name ?? '').trim();
  if (number && name) return `${number} — ${name}`;
  return number || name || String(image.id ?? '');
}

/** How many images with reasons a list shows before "…and N more". */
export const LIST_LIMIT = 500;

/** The first `limit` items and how many are left out. */
export function capped(items, limit = LIST_LIMIT) {
  const list = Array.isArray(items) ? items : [];
  return { shown: list.slice(0, limit), more: Math.max(0, list.length - limit) };
}

/** `{image, reason}` lists as [{key, heading, reason}]. */
const reasons = (list) => (Array.isArray(list) ? list : []).map((x, i) => ({
  key: x?.image?.id || `#${i}`, heading: imageLabel(x?.image), reason: String(x?.reason ?? ''),
}));

/** An empty value reads as a dash in before → after. */
const shown = (text) => (text === null || text === undefined || String(text) === '' ? '—' : String(text));

/** The bulk-edit dialog's preview step, from `plan_bulk_edit`'s BulkPreview. */
export function previewModel(preview) {
  const p = preview || {};
  const changing = num(p.changing);
  const unchanged = num(p.unchanged);
  const skipped = reasons(p.skipped);
  const sample = (Array.isArray(p.sample) ? p.sample : []).map((s, i) => ({
    key: s?.image?.id || `#${i}`,
    heading: imageLabel(s?.image),
    changes: (s?.fields || []).map((f) => ({ fieldId: f.fieldId, label: String(f.label ?? f.fieldId ?? ''), before: shown(f.beforeText), after: shown(f.afterText) })),
  }));
  const notes = [];
  if (unchanged) notes.push(`${images(unchanged)} already ${unchanged === 1 ? 'has' : 'have'} these values`);
  if (skipped.length) notes.push(`${images(skipped.length)} will be skipped`);
  return {
    planId: p.planId ?? null,
    changing,
    headline: changing ? `${images(changing)} will change` : 'No image would change',
    notes,
    fields: (Array.isArray(p.fields) ? p.fields : []).map((f) => ({
      fieldId: f.fieldId, label: String(f.label ?? f.fieldId ?? ''), text: images(f.images),
    })),
    sample,
    sampleNote: sample.length && changing > sample.length ? `The first ${sample.length.toLocaleString()} of ${changing.toLocaleString()}:` : '',
    skipped,
    canApply: changing > 0 && !!p.planId,
  };
}

const KIND_RUNNING = { edit: 'Editing', import: 'Importing changes to', undo: 'Undoing the bulk edit of' };
const KIND_NAME = { edit: 'Bulk edit', import: 'Import', undo: 'Undo' };

/** The progress panel while an edit runs, from a BulkProgress. */
export function progressModel(p) {
  const total = num(p?.total);
  const done = Math.min(num(p?.done), total || num(p?.done));
  const c = p?.counts || {};
  const parts = [`${done.toLocaleString()} of ${total.toLocaleString()} done`];
  if (num(c.changed)) parts.push(`${num(c.changed).toLocaleString()} changed`);
  if (num(c.unchanged)) parts.push(`${num(c.unchanged).toLocaleString()} unchanged`);
  if (num(c.failed)) parts.push(`${num(c.failed).toLocaleString()} failed`);
  if (num(c.skipped)) parts.push(`${num(c.skipped).toLocaleString()} skipped`);
  return {
    editId: p?.editId ?? null,
    title: `${KIND_RUNNING[p?.kind] || KIND_RUNNING.edit} ${images(total)}…`,
    done,
    total,
    percent: total ? Math.round((1000 * done) / total) / 10 : 0,
    text: parts.join(' · '),
  };
}

/** The text a screen reader hears while an edit runs: at start, then every tenth. */
export function progressAnnouncement(p, lastStep) {
  const m = progressModel(p);
  const step = m.total ? Math.floor((10 * m.done) / m.total) : 0;
  if (step === lastStep) return { step, text: null };
  return { step, text: `${m.percent.toFixed(0)}% — ${m.text}` };
}

/** The panel once an edit has finished, from a BulkFinished. */
export function finishedModel(f) {
  const c = f?.counts || {};
  const changed = num(c.changed);
  const failed = num(c.failed);
  const parts = [`${changed.toLocaleString()} changed`];
  if (failed) parts.push(`${failed.toLocaleString()} failed`);
  if (num(c.unchanged)) parts.push(`${num(c.unchanged).toLocaleString()} unchanged`);
  if (num(c.skipped)) parts.push(`${num(c.skipped).toLocaleString()} skipped`);
  const name = KIND_NAME[f?.kind] || KIND_NAME.edit;
  return {
    editId: f?.editId ?? null,
    title: f?.cancelled ? `${name} cancelled` : failed ? `${name} finished with failures` : `${name} finished`,
    summary: parts.join(', '),
    tone: failed ? 'error' : f?.cancelled ? 'warn' : 'ok',
    failed: reasons(f?.failed),
    skipped: reasons(f?.skipped),
    canUndo: !!f?.canUndo,
    canRetry: !!f?.canRetry,
    // A cancelled edit has images not sent yet; retrying finishes them.
    retryLabel: f?.cancelled ? 'Finish the rest' : 'Retry failed',
  };
}

/** The start-up banner for a journal left unfinished: "A bulk edit was interrupted: 40 of 212 changed". */
export function interruptedText(entry) {
  const what = { import: 'An import', undo: 'An undo' }[entry?.kind] || 'A bulk edit';
  return `${what} was interrupted: ${num(entry?.changed).toLocaleString()} of ${images(entry?.total)} changed.`;
}

/** The result of `delete_images` in the panel. */
export function deleteResultModel(res) {
  const deleted = num(res?.deleted);
  const failed = reasons(res?.failed);
  const parts = [`${images(deleted)} deleted`];
  if (failed.length) parts.push(`${failed.length.toLocaleString()} could not be deleted`);
  return {
    title: failed.length ? 'Delete finished with failures' : 'Delete finished',
    summary: parts.join(', '),
    tone: failed.length ? 'error' : 'ok',
    failed,
  };
}

/** The confirmation of a bulk delete, naming the count. */
export function deleteConfirmText(count) {
  const n = num(count);
  return {
    title: n === 1 ? 'Delete image' : 'Delete images',
    message: `Delete ${images(n)}? This cannot be undone.`,
    ok: `Delete ${images(n)}`,
  };
}

/** The import dialog, from `import_sheet`'s ImportPreview. */
export function importModel(preview) {
  const p = preview || {};
  const changedRows = num(p.changedRows);
  const changedCells = num(p.changedCells);
  const unchangedRows = num(p.unchangedRows);
  const problems = num(p.problems);
  const rows = (Array.isArray(p.rows) ? p.rows : []).map((r, i) => {
    const cells = (r?.cells || []).map((c) => ({
      fieldId: c.fieldId,
      label: String(c.label ?? c.fieldId ?? ''),
      before: shown(c.beforeText),
      after: shown(c.afterText),
      problem: c.problem ? String(c.problem) : null,
    }));
    return { key: r?.image?.id || `#${i}`, heading: imageLabel(r?.image), cells, invalid: cells.some((c) => c.problem) };
  });
  const unknown = (Array.isArray(p.unknown) ? p.unknown : []).map((u) => {
    const text = `Row ${num(u?.row).toLocaleString()}: ${String(u?.number ?? '') || '(no number)'}`;
    return { row: num(u?.row), number: String(u?.number ?? ''), text: u?.reason ? `${text} — ${u.reason}` : text };
  });
  // Not in the contract's ImportPreview, shown if the backend sends it: columns that are no field.
  const ignored = (Array.isArray(p.ignoredColumns) ? p.ignoredColumns : []).map(String);
  const summary = [];
  summary.push(changedRows ? `${plural(changedRows, 'row', 'rows')} change (${plural(changedCells, 'cell', 'cells')})` : 'No row changes');
  if (unchangedRows) summary.push(`${plural(unchangedRows, 'row', 'rows')} unchanged`);
  if (unknown.length) summary.push(`${plural(unknown.length, 'number', 'numbers')} not found`);
  const blocked = problems > 0 || !p.planId;
  let blockedText = '';
  if (problems) blockedText = `${plural(problems, 'cell is', 'cells are')} not valid for this folder (marked below). Fix the sheet and import it again; nothing has been changed.`;
  else if (!changedRows) blockedText = 'The sheet changes nothing in this folder.';
  else if (!p.planId) blockedText = 'This import cannot be applied. Import the sheet again.';
  return {
    planId: p.planId ?? null,
    fileName: String(p.fileName ?? ''),
    title: p.fileName ? `Import ${p.fileName}` : 'Import spreadsheet',
    summary: summary.join(' · '),
    rows,
    rowsNote: rows.length && rows.length < changedRows ? `Showing the first ${rows.length.toLocaleString()} of ${changedRows.toLocaleString()} rows.` : '',
    unknown,
    unknownText: unknown.length ? 'These numbers are not in this folder; their rows are left out:' : '',
    ignoredText: ignored.length ? `Columns left out (no field of this folder): ${ignored.join(', ')}.` : '',
    blocked,
    blockedText,
    changedRows,
    problems,
  };
}

/** The `fields` of new uploads for a preset: its `set` edits as widget values [{id, value}]. */
export function presetUploadFields(preset) {
  return (preset?.edits || []).filter((e) => e && e.op === 'set').map((e) => ({ id: e.fieldId, value: e.value }));
}

/** The preset's other operations, which new uploads cannot use ("Clear Season", …). */
export function presetUploadLeftOut(preset) {
  return (preset?.edits || []).filter((e) => e && e.op !== 'set').length;
}

/** A preset's summary lines (`summary` from list_presets: [{label, text}]) as "Label: text". */
export function presetSummaryLines(preset) {
  return (preset?.summary || []).map((s) => `${String(s?.label ?? '')}: ${String(s?.text ?? '')}`);
}

/**
 * The `export_sheet` arguments. With a selection: it. Without: the search — the quick text
 * alone as `quick`; with filters, everything matching as an `all` selection (the filters are
 * not an argument of their own) — or the whole folder.
 */
export function exportArgs({ folderId, selection = null, query = null, format }) {
  const quick = String(query?.quick ?? '').trim() || null;
  const filters = Array.isArray(query?.filters) ? query.filters : [];
  if (selection) return { folderId, selection, quick: null, format };
  if (filters.length) return { folderId, selection: { all: { quick, filters: [...filters] }, except: [] }, quick: null, format };
  return { folderId, selection: null, quick, format };
}

/** What an export menu item says it will export. */
export function exportScopeText({ selectionCount = 0, query = null } = {}) {
  if (selectionCount) return `the ${plural(selectionCount, 'selected image', 'selected images')}`;
  const searching = String(query?.quick ?? '').trim() || (query?.filters?.length ?? 0) > 0;
  return searching ? 'this search' : 'the whole folder';
}

/** The toast after an export: "Exported 212 rows to Prints 2026-12-03.csv". */
export function exportedText(res) {
  return `Exported ${plural(num(res?.rows), 'row', 'rows')} to ${String(res?.fileName ?? 'the file')}.`;
}
