// The intake preview as the page shows it, from `plan_intake`'s IntakePreview: pure functions
// (no DOM), unit-tested in tests/js/intake-model.test.mjs. The backend decides what is valid
// (each cell's `problem`); this only orders, counts and words it.
import { plural } from './dom.js';

/** Rows shown before "Show all": enough for a screenful of fixes, cheap for 1,000 files. */
export const ROWS_SHOWN = 200;

/** {planId, folderId, columns, rows: [{index, row}], skipped} from an IntakePreview. */
export function intakeModel(preview) {
  const rows = (Array.isArray(preview?.rows) ? preview.rows : []).map((row, index) => ({ index, row }));
  return {
    planId: String(preview?.planId || ''),
    folderId: String(preview?.folderId || ''),
    columns: Array.isArray(preview?.columns) ? preview.columns : [],
    rows,
    skipped: Array.isArray(preview?.skipped) ? preview.skipped : [],
  };
}

/** Every cell of a row by field id: number and name first, then the field cells. */
export function cellsOf(row) {
  const cells = new Map();
  for (const cell of [row?.number, row?.name, ...(Array.isArray(row?.cells) ? row.cells : [])]) {
    if (cell && typeof cell.fieldId === 'string') cells.set(cell.fieldId, cell);
  }
  return cells;
}

/** The problems of a row: its cells' and its note's, as text. */
export function rowProblems(row) {
  return [...cellsOf(row).values()].filter((c) => c.problem).map((c) => `${c.label}: ${c.problem}`);
}

/** Rows with problems first (they need the user), then the rest, each in file order. */
export function rowOrder(model) {
  const bad = model.rows.filter((r) => rowProblems(r.row).length);
  const good = model.rows.filter((r) => !rowProblems(r.row).length);
  return [...bad, ...good];
}

/** Counts for the summary and the buttons; `skipped` is a Set of row indexes. */
export function intakeCounts(model, skipped = new Set()) {
  let kept = 0; let withProblems = 0;
  for (const { index, row } of model.rows) {
    if (skipped.has(index)) continue;
    kept += 1;
    if (rowProblems(row).length) withProblems += 1;
  }
  return { total: model.rows.length, kept, withProblems, skipped: model.rows.length - kept };
}

/** The line above the table. */
export function summaryText(model, folderName, skipped = new Set()) {
  const c = intakeCounts(model, skipped);
  const parts = [`${plural(c.kept, 'file', 'files')} to upload to ${folderName || 'this folder'}`];
  if (c.withProblems) parts.push(`${c.withProblems.toLocaleString()} with problems`);
  if (c.skipped) parts.push(`${c.skipped.toLocaleString()} skipped`);
  if (model.skipped.length) parts.push(`${plural(model.skipped.length, 'file', 'files')} left out (not images)`);
  return `${parts.join(' · ')}.`;
}

/** What the Upload buttons do: `upload` (all kept rows valid), `validOnly` (some have problems). */
export function uploadActions(model, skipped = new Set()) {
  const c = intakeCounts(model, skipped);
  return {
    upload: { enabled: c.kept > 0 && c.withProblems === 0, label: `Upload ${plural(c.kept, 'file', 'files')}` },
    validOnly: { shown: c.withProblems > 0, enabled: c.kept > 0, label: 'Upload with valid values only' },
    blocked: c.withProblems
      ? `${plural(c.withProblems, 'file has', 'files have')} problems: fix the marked cells, skip those files, or upload with the valid values only.`
      : (c.kept ? '' : 'Every file is skipped.'),
  };
}

/** Where a value came from, for the cell's tooltip. */
export function sourceText(source) {
  return {
    rule: 'From the naming rule',
    metadata: 'From the file’s embedded metadata',
    fileName: 'From the file name',
    edited: 'Typed here',
  }[source] || '';
}
