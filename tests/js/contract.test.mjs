// The page checked against the contract the Rust test src-tauri/tests/contract.rs writes to
// ui/contract/ipc.json from real IPC replies: the error kinds, and every reply member the page
// reads. Renaming one on the Rust side fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ERROR_KINDS, KIND_LEADS, describeError } from '../../ui/js/api.js';

const readContract = (name) => JSON.parse(readFileSync(new URL(`../../ui/contract/${name}.json`, import.meta.url), 'utf8'));
const contract = readContract('ipc');
// Written by src-tauri/tests/upload_commands.rs from the replies and `upload://event`s of a real run.
const uploads = readContract('uploads');
// Written by src-tauri/tests/bulk_commands.rs from the replies and `bulk://` events of a real run.
const bulk = readContract('bulk');

// What the page reads from each reply (`[]` = every item of a list).
const UI_READS = {
  connection_status: ['mode', 'company', 'apiUrl', 'keychain.available', 'hasSavedAccount', 'lastFolderId'],
  test_connection: ['folderCount'],
  list_folders: ['[].id', '[].name', '[].active', '[].description'],
  folder_schema: [
    'fields[].fieldId', 'filters[].fieldId', 'filters[].label', 'filters[].filter.operators',
    'filters[].filter.defaultOperator', 'filters[].filter.valueKind', 'filters[].choices[].value', 'filters[].choices[].label',
  ],
  image_form: [
    '[].fieldId', '[].label', '[].widget', '[].editable', '[].required', '[].value',
    '[].choices[].value', '[].choices[].label',
  ],
  list_images: [
    'total', 'result[].id', 'result[].headerNumber', 'result[].headerName',
    'result[].headerData.fields[].id', 'result[].headerData.fields[].value', 'result[].headerData.preview',
  ],
  get_image: ['id', 'folder.id', 'headerNumber', 'headerName', 'headerData.fields[].id', 'headerData.fields[].value'],
  create_image: ['id', 'folder.id', 'headerNumber'],
  update_image: ['id', 'folder.id', 'headerNumber', 'headerData.fields[].value'],
  get_images: ['images[].id', 'failed'],
};

// A job as the tray and the stores read it (JobSummary), under each place it arrives.
const JOB = ['id', 'fileName', 'size', 'bytesSent', 'bytesPerSec', 'state.kind', 'state.reason', 'state.permanent',
  'imageId', 'target.folderId', 'source.path', 'source.url', 'serverKey', 'waitingForServer', 'interrupted', 'duplicateOf'];
const TOTALS = ['total', 'done', 'failed', 'mayHaveLanded', 'waitingForServer', 'duplicate', 'cancelled',
  'bytesTotal', 'bytesSent', 'paused'];
const under = (prefix, members) => members.map((m) => `${prefix}${m}`);

const UPLOAD_REPLY_READS = {
  enqueue_uploads: ['accepted', 'rejected', 'skipped[].name', 'skipped[].reason'],
  upload_jobs: [...under('jobs[].', JOB), ...under('totals.', TOTALS), 'interrupted', 'journalNotice'],
  check_again: ['queued', 'refused[].jobId', 'refused[].reason'],
};
const UPLOAD_EVENT_READS = {
  jobsAdded: [...under('[].jobs[].', ['id', 'state.kind']), ...under('[].totals.', TOTALS)],
  jobChanged: [...under('[].job.', ['id', 'state.kind', 'imageId']), '[].image.id', '[].image.headerNumber'],
  progress: ['[].jobId', '[].bytesSent', '[].bytesTotal', '[].bytesPerSec'],
  jobsRemoved: ['[].jobIds'],
};

/** Every member in `reads` ({name: members}) is one the contract's `written` ({name: members}) has. */
function assertReads(written, reads, what) {
  for (const [name, members] of Object.entries(reads)) {
    const known = written[name];
    assert.ok(Array.isArray(known), `no ${what} ${name} in the contract`);
    for (const member of members) assert.ok(known.includes(member), `${name} has no ${member}`);
  }
}

test('every upload reply and event member the page reads is in the contract', () => {
  assertReads(uploads.replyMembers, UPLOAD_REPLY_READS, 'command');
  assertReads(uploads.eventMembers, UPLOAD_EVENT_READS, 'event');
});

// What bulk-model.js, bulk-progress.js, sheet.js and presets.js read.
const IMAGE_REF = ['image.id', 'image.name', 'image.number'];
const REASONS = (prefix) => [...under(`${prefix}[].`, IMAGE_REF), `${prefix}[].reason`];
const COUNTS = under('counts.', ['changed', 'unchanged', 'failed', 'skipped']);
const FINISHED = ['editId', 'kind', 'cancelled', 'canUndo', 'canRetry', ...COUNTS, ...REASONS('failed'), ...REASONS('skipped')];
const STARTED = ['editId', 'total'];
const BULK_REPLY_READS = {
  plan_bulk_edit: ['planId', 'changing', 'unchanged', ...REASONS('skipped'), ...under('sample[].', IMAGE_REF),
    ...under('sample[].fields[].', ['fieldId', 'label', 'beforeText', 'afterText']), ...under('fields[].', ['fieldId', 'label', 'images'])],
  run_bulk: STARTED,
  retry_bulk: STARTED,
  undo_bulk: STARTED,
  bulk_status: ['running', 'last', ...under('last.', FINISHED), ...under('interrupted[].', ['editId', 'kind', 'total', 'changed'])],
  delete_images: ['deleted', 'failed'],
  export_sheet: ['rows', 'fileName'],
  import_sheet: ['planId', 'fileName', 'changedRows', 'changedCells', 'unchangedRows', 'problems', 'ignoredColumns',
    ...under('rows[].', IMAGE_REF), ...under('rows[].cells[].', ['fieldId', 'label', 'beforeText', 'afterText', 'problem']),
    ...under('unknown[].', ['row', 'number', 'reason'])],
  list_presets: under('[].', ['id', 'name', 'edits[].fieldId', 'edits[].op', 'edits[].value', 'summary[].label', 'summary[].text']),
  save_preset: ['id', 'name', 'edits[].fieldId', 'edits[].op', 'edits[].value'],
};
const BULK_EVENT_READS = {
  'bulk://progress': under('[].', ['editId', 'kind', 'total', 'done', ...COUNTS]),
  'bulk://finished': under('[].', FINISHED),
};

test('every bulk reply and event member the page reads is in the contract', () => {
  assertReads(bulk.replyMembers, BULK_REPLY_READS, 'command');
  assertReads(bulk.eventMembers, BULK_EVENT_READS, 'event');
});

test('the page knows exactly the error kinds the app sends', () => {
  assert.deepEqual([...ERROR_KINDS].sort(), [...contract.errorKinds].sort());
});

test('every kind with its own wording is a kind the app sends', () => {
  for (const kind of Object.keys(KIND_LEADS)) assert.ok(ERROR_KINDS.includes(kind), kind);
});

test('every reply member the page reads is in the contract', () => {
  assertReads(contract.replyMembers, UI_READS, 'command');
});

test('an error from the app keeps its kind, message and detail', () => {
  const d = describeError({ kind: 'not_found', message: 'Image not found', detail: 'x' });
  assert.equal(d.kind, 'not_found');
  assert.equal(d.title, KIND_LEADS.not_found);
  assert.equal(d.message, 'Image not found');
  assert.equal(d.detail, 'x');
  const refused = describeError({ kind: 'api', message: 'One or more validation errors occurred.',
    fields: [{ field: 'header_number', message: 'Image Number is already used' }] });
  assert.deepEqual(refused.fields, [{ field: 'header_number', message: 'Image Number is already used' }]);
  assert.deepEqual(describeError({ kind: 'api', message: 'x' }).fields, []);
  const plain = describeError({ kind: 'api', message: 'width_px must be a whole number' });
  assert.equal(plain.title, 'width_px must be a whole number');
  assert.equal(plain.message, null);
});
