// The page checked against the contract the Rust test src-tauri/tests/contract.rs writes to
// ui/contract/ipc.json from real IPC replies: the error kinds, and every reply member the page
// reads. Renaming one on the Rust side fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ERROR_KINDS, KIND_LEADS, describeError } from '../../ui/js/api.js';

const contract = JSON.parse(readFileSync(new URL('../../ui/contract/ipc.json', import.meta.url), 'utf8'));

// What the page reads from each reply (`[]` = every item of a list).
const UI_READS = {
  connection_status: ['mode', 'company', 'apiUrl', 'keychain.available', 'hasSavedAccount', 'lastFolderId'],
  test_connection: ['folderCount'],
  list_folders: ['[].id', '[].name', '[].active', '[].description'],
  folder_schema: ['[].fieldId', '[].fieldName', '[].fieldType', '[].required', '[].active', '[].properties'],
  list_images: [
    'total', 'result[].id', 'result[].headerNumber', 'result[].headerName',
    'result[].headerData.fields[].id', 'result[].headerData.fields[].value', 'result[].headerData.preview',
  ],
  get_image: ['id', 'folder.id', 'headerNumber', 'headerName', 'headerData.fields[].id', 'headerData.fields[].value'],
  create_image: ['id', 'folder.id', 'headerNumber'],
  update_image: ['id', 'folder.id', 'headerNumber', 'headerData.fields[].value'],
  get_images: ['images[].id', 'failed'],
};

test('the page knows exactly the error kinds the app sends', () => {
  assert.deepEqual([...ERROR_KINDS].sort(), [...contract.errorKinds].sort());
});

test('every kind with its own wording is a kind the app sends', () => {
  for (const kind of Object.keys(KIND_LEADS)) assert.ok(ERROR_KINDS.includes(kind), kind);
});

test('every reply member the page reads is in the contract', () => {
  for (const [command, members] of Object.entries(UI_READS)) {
    const known = contract.replyMembers[command];
    assert.ok(Array.isArray(known), `no contract for ${command}`);
    for (const member of members) assert.ok(known.includes(member), `${command} has no ${member}`);
  }
});

test('an error from the app keeps its kind, message and detail', () => {
  const d = describeError({ kind: 'not_found', message: 'Image not found', detail: 'x' });
  assert.equal(d.kind, 'not_found');
  assert.equal(d.title, KIND_LEADS.not_found);
  assert.equal(d.message, 'Image not found');
  assert.equal(d.detail, 'x');
  const plain = describeError({ kind: 'api', message: 'width_px must be a whole number' });
  assert.equal(plain.title, 'width_px must be a whole number');
  assert.equal(plain.message, null);
});
