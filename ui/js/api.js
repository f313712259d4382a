// Typed wrappers over the Tauri commands (docs/ARCHITECTURE.md, "IPC contract").
// Every failure becomes an ApiError {kind, message, detail} so the UI can branch on `kind`.

export class ApiError extends Error {
  constructor({ kind = 'internal', message = 'Something went wrong.', detail = null, fields = [] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.detail = detail;
    /** The server's messages per field of a refused save: [{field, message}]. */
    this.fields = fields;
  }
}

/** Every `kind` an ApiError can have: the app's `ErrorKind` (src-tauri/src/error.rs). The Rust
 * test src-tauri/tests/contract.rs writes that enum to ui/contract/ipc.json and
 * tests/js/contract.test.mjs checks this list against it, so the two cannot drift apart. */
export const ERROR_KINDS = Object.freeze([
  'transport', 'api', 'not_found', 'auth', 'throttled', 'decode', 'outcome_unknown',
  'invalid_input', 'io', 'too_large', 'file_changed', 'keychain', 'internal',
]);

function normalise(err) {
  if (err instanceof ApiError) return err;
  if (err && typeof err === 'object' && typeof err.message === 'string') {
    return new ApiError({ kind: err.kind || 'internal', message: err.message, detail: err.detail ?? null, fields: Array.isArray(err.fields) ? err.fields : [] });
  }
  if (typeof err === 'string') return new ApiError({ kind: 'internal', message: err });
  return new ApiError({ kind: 'internal', message: 'Unexpected error from the app.', detail: safeJson(err) });
}

function safeJson(v) {
  try { return JSON.stringify(v); } catch { return String(v); }
}

/** A Tauri Channel whose messages go to `onMessage` (a no-op stand-in outside the app, where
 * `call` refuses anyway). */
function channel(onMessage) {
  const Channel = window.__TAURI__?.core?.Channel;
  if (!Channel) return null;
  const ch = new Channel();
  ch.onmessage = onMessage;
  return ch;
}

async function call(command, args) {
  const invoke = window.__TAURI__?.core?.invoke;
  if (!invoke) {
    throw new ApiError({ kind: 'internal', message: 'This window is not running inside BeProduct Images, so it cannot reach BeProduct.' });
  }
  try {
    return await invoke(command, args);
  } catch (err) {
    throw normalise(err);
  }
}

/** Subscribes to a backend event; returns an unsubscribe function (a no-op outside the app). */
export async function listen(event, handler) {
  const listenFn = window.__TAURI__?.event?.listen;
  if (!listenFn) return () => {};
  return listenFn(event, handler);
}

export const api = {
  connectionStatus: () => call('connection_status'),
  testConnection: (creds) => call('test_connection', { creds }),
  saveCredentials: (creds) => call('save_credentials', { creds }),
  useSandbox: () => call('use_sandbox'),
  useAccount: () => call('use_account'),
  signOut: () => call('sign_out'),
  listFolders: () => call('list_folders'),
  /** {fields, filters}: the folder's field specs (widget, choices, filter operators). */
  folderSchema: (folderId) => call('folder_schema', { folderId }),
  /** [FormField]: each field's spec and its widget value, for `image` (null: a new image). */
  imageForm: (folderId, image) => call('image_form', { folderId, image }),
  /** [{value, label, detail?}] for a picker whose choices come from 'users', 'partners' or 'tags'. */
  fieldChoices: (source) => call('field_choices', { source }),
  /** Tag names of an image; changeTags answers with the image's tags after the change. */
  imageTags: (id) => call('image_tags', { id }),
  changeTags: (id, add, remove) => call('change_tags', { id, add, remove }),
  /** [{id, body, from: {id, name}, createdDate}]; each change answers with the whole thread. */
  imageComments: (id) => call('image_comments', { id }),
  addComment: (id, text) => call('add_comment', { id, text }),
  editComment: (id, commentId, text) => call('edit_comment', { id, commentId, text }),
  deleteComment: (id, commentId) => call('delete_comment', { id, commentId }),
  /** filters: [{field, operator, value: string | string[]}]; pageSize 1–200 (left out: the
   * backend's default, 60); pageNumber starts at 0. */
  listImages: ({ folderId, quick = null, filters = [], pageSize, pageNumber = 0 }) =>
    call('list_images', { folderId, quick: quick || null, filters, pageSize, pageNumber }),
  getImage: (id) => call('get_image', { id }),
  createImage: (folderId, fields) => call('create_image', { folderId, fields }),
  /** folderId: the folder the image was read from (the backend does not read it again). */
  updateImage: (id, folderId, fields) => call('update_image', { id, folderId, fields }),
  deleteImage: (id) => call('delete_image', { id }),
  /** handle: from `app://dropped` or pickUploadFiles (the page never names paths);
   * target: {kind:'newImage', folderId} | {kind:'version', imageId}; folders are expanded. */
  enqueueUploads: (handle, target) => call('enqueue_uploads', { handle, target }),
  enqueueUrl: (url, target) => call('enqueue_url', { url, target }),
  uploadJobs: () => call('upload_jobs'),
  cancelUpload: (id) => call('cancel_upload', { id }),
  retryUpload: (id) => call('retry_upload', { id }),
  retryFailedUploads: () => call('retry_failed_uploads'),
  clearFinishedUploads: () => call('clear_finished_uploads'),
  sendUploadAnyway: (id) => call('send_upload_anyway', { id }),
  /** For jobs that may have landed → {queued, refused: [{jobId, reason}]}. */
  checkAgain: (jobIds) => call('check_again', { jobIds }),
  sendAgain: (jobIds) => call('send_again', { jobIds }),
  resumeInterruptedUploads: () => call('resume_interrupted_uploads'),
  discardInterruptedUploads: () => call('discard_interrupted_uploads'),
  /** {handle, count, names} for enqueueUploads, or null when cancelled. */
  pickUploadFiles: () => call('pick_upload_files'),
  /** The clipboard's files, or its image saved as a PNG → {handle, count, names} like a drop,
   * or null when it holds neither. */
  pasteFiles: () => call('paste_files'),
  /** A folder's intake settings: {rule: null | {kind: 'pattern', pattern, dashAsSpace} |
   * {kind: 'regex', regex, groups}, metadata: {title, description, keywords, creator}: fieldId|null}. */
  intakeSettings: (folderId) => call('intake_settings', { folderId }),
  saveIntakeSettings: (folderId, settings) => call('save_intake_settings', { folderId, settings }),
  /** What a sample file name gives → IntakeRow {fileName, number, name, cells, note}; each cell
   * {fieldId, label, text, source: 'rule'|'metadata'|'fileName'|'edited', problem}. */
  tryIntakeName: (folderId, settings, fileName) => call('try_intake_name', { folderId, settings, fileName }),
  /** For a new-image target in a folder with intake settings → IntakePreview {planId, folderId,
   * columns: [{fieldId, label}], rows: [IntakeRow], skipped: [{name, reason}]}; null (the handle
   * untouched) when the folder has none: queue the handle with enqueueUploads. */
  planIntake: (handle, target) => call('plan_intake', { handle, target }),
  /** A cell fixed in place → the row checked again. */
  editIntakeCell: (planId, row, fieldId, text) => call('edit_intake_cell', { planId, row, fieldId, text }),
  /** answer: {skip: [row index], validOnly} → {batchId, accepted, rejected, skipped} like enqueueUploads. */
  commitIntake: (planId, answer) => call('commit_intake', { planId, answer }),
  cancelIntake: (planId) => call('cancel_intake', { planId }),
  /** Hot folders → [{id, name, location, folderId, moveUploaded, state: {kind: 'watching'|'paused'|
   * 'error', reason?}, counts: {uploaded, queued, rejected, failed, ignored, settling}}]; changes
   * arrive as `hotfolders://changed` {type: 'changed', folder} | {type: 'removed', id}. */
  listHotFolders: () => call('list_hot_folders'),
  /** Asks for a local folder in the native dialog → the new hot folder, or null when cancelled. */
  addHotFolder: (folderId, moveUploaded) => call('add_hot_folder', { folderId, moveUploaded }),
  removeHotFolder: (id) => call('remove_hot_folder', { id }),
  // ---- Open in editor, working copies, an image's files (issue 15) ----
  // Downloads report `working://progress` {imageId, action: 'open'|'save'|'copy'|'view', done, total|null};
  // every change of the working copies arrives as `working://changed` (the whole list, as workingCopies).
  /** Downloads the current original into the working folder and opens it with the system's
   * default app → WorkingCopy {id, imageId, imageNumber, imageName, fileName, state:
   * 'unchanged'|'edited'|'declined'|'uploading'|'missing', jobId, lastError, versionsSent,
   * baseVersion, createdAtMs, updatedAtMs}. */
  openOriginal: (imageId) => call('open_original', { imageId }),
  /** As openOriginal, with an app chosen in the native dialog → CopyView, or null when cancelled. */
  openOriginalWith: (imageId) => call('open_original_with', { imageId }),
  /** File `number` of the image as a preview made on this computer → {url: data:image/png…}. */
  previewImageFile: (imageId, number) => call('preview_image_file', { imageId, number }),
  /** → {copies: [WorkingCopy], notice: string|null} (notice: the list could not be read at start). */
  workingCopies: () => call('working_copies'),
  /** An edited copy's banner → {copy, before: url|null, after: dataUrl|null, afterProblem,
   * serverChanged, serverVersion, serverProblem}. */
  workingCopyBanner: (copyId) => call('working_copy_banner', { copyId }),
  /** "Upload as new version" → {queued, jobId, serverChanged, copy}; queued is false (nothing sent)
   * when the server's file changed and acceptServerChange was not given. */
  uploadWorkingCopy: (copyId, acceptServerChange = false) => call('upload_working_copy', { copyId, acceptServerChange }),
  declineWorkingCopy: (copyId) => call('decline_working_copy', { copyId }),
  openWorkingCopy: (copyId) => call('open_working_copy', { copyId }),
  revealWorkingCopy: (copyId) => call('reveal_working_copy', { copyId }),
  /** About → "Copy diagnostics": version, OS, WebKit, mode, queue totals on the clipboard → {text}. */
  copyDiagnostics: () => call('copy_diagnostics'),
  /** About → "Open logs folder" in the file manager → null. */
  openLogsFolder: () => call('open_logs_folder'),
  /** About → "Check for updates" → {available, currentVersion, version|null, notes|null}. */
  checkForUpdate: () => call('check_for_update'),
  /** Downloads and verifies the update found (events `update://progress` {downloaded, total|null}) → {version}. */
  downloadUpdate: () => call('download_update'),
  /** Installs the downloaded update and restarts the app. */
  installUpdate: () => call('install_update'),
  removeWorkingCopy: (copyId) => call('remove_working_copy', { copyId }),
  /** The image's files, oldest first → {files: [{number, name, current, size|null, createdAt|null}], hasDetails}. */
  imageFilesList: (imageId) => call('image_files_list', { imageId }),
  /** Downloads file `number` (not watched) and opens it → null. */
  openImageFile: (imageId, number) => call('open_image_file', { imageId, number }),
  /** The native save dialog, then the file (number null: the current original) → {fileName} | null. */
  saveImageFile: (imageId, number) => call('save_image_file', { imageId, number }),
  /** The current original's picture onto the clipboard → {width, height}. */
  copyImage: (imageId) => call('copy_image', { imageId }),
  /** Drags the originals of `ids` out of the window (called with the button down): the backend
   * downloads what is not cached, then starts the OS drag. `onEvent` hears {phase: 'downloading',
   * files, ready, received, total|null} and {phase: 'dragging', files}. Answers when the drag is
   * over → {outcome: 'dropped'|'cancelled'|'released' (let go before the files were ready), files}. */
  dragOut: (ids, onEvent) => call('drag_out', { ids, onProgress: channel(onEvent) }),
  /** A preview made on this machine from upload job `jobId`'s file → {url: 'data:image/png;base64,…'};
   * an error's message says why there is none (e.g. an AI file saved without PDF compatibility). */
  localPreview: (jobId) => call('local_preview', { jobId }),

  // ---- Many images at once (issue 13; docs in team/drafts/bulk-contract.md) ----
  // `selection` is selection.js's selectionArg(): {ids: [..]} or
  // {all: {quick, filters}, except: [..]}; the backend resolves it (at most 10,000 images).
  // `edits` are FieldEdits: {fieldId, op: 'set', value} | {fieldId, op: 'clear'} |
  // {fieldId, op: 'add'|'remove', value: [items]}, values as widgets.js / image_form give them.
  // `image` in every answer is {id, number, name}.
  /** → BulkPreview {planId, kind: 'edit'|'import', changing, unchanged, skipped: [{image, reason}],
   * fields: [{fieldId, label, images}], sample: [{image, fields: [{fieldId, label, beforeText, afterText}]}]}
   * (sample: the first 50). The plan is kept in the backend under planId. */
  planBulkEdit: (folderId, selection, edits) => call('plan_bulk_edit', { folderId, selection, edits }),
  /** Starts a planned edit or import in the background → {editId, total} at once; progress
   * comes as `bulk://progress` BulkProgress {editId, kind, total, done, counts: {changed,
   * unchanged, failed, skipped}} and the end as `bulk://finished` BulkFinished {editId,
   * kind: 'edit'|'import'|'undo', cancelled, counts, failed: [{image, reason}],
   * skipped: [{image, reason}], canUndo, canRetry}. One at a time: a second is refused. */
  runBulk: (planId) => call('run_bulk', { planId }),
  /** Stops the running edit → {}; what changed is in its journal (retryBulk finishes it). */
  cancelBulk: () => call('cancel_bulk'),
  /** Retries the failed and not-yet-sent images of an edit (also resumes an interrupted one)
   * → {editId, total}. */
  retryBulk: (editId) => call('retry_bulk', { editId }),
  /** Puts back the previous values of the images the edit changed, as a new background edit
   * (kind 'undo') → {editId, total}. */
  undoBulk: (editId) => call('undo_bulk', { editId }),
  /** → {running: BulkProgress|null, last: BulkFinished|null,
   * interrupted: [{editId, kind, total, changed, startedAt}]} (journals a crash left unfinished). */
  bulkStatus: () => call('bulk_status'),
  /** Forgets an interrupted edit (its journal is moved aside) → {}. */
  discardBulk: (editId) => call('discard_bulk', { editId }),
  /** → {deleted, failed: [{image, reason}]}. */
  deleteImages: (folderId, selection) => call('delete_images', { folderId, selection }),
  /** Writes the selection (or without one the `quick` search, or the whole folder) to a file the
   * user picks in the native save dialog → {fileName, rows}, or null when cancelled.
   * format: 'csv' | 'xlsx'. */
  exportSheet: ({ folderId, selection = null, quick = null, format }) =>
    call('export_sheet', { folderId, selection, quick: quick || null, format }),
  /** Reads a sheet (handle: a dropped .csv/.xlsx from `app://dropped`; null: the native open
   * dialog) and diffs it with the folder → ImportPreview, or null when cancelled:
   * {planId|null, fileName, changedRows, changedCells, unchangedRows,
   *  rows: [{image, cells: [{fieldId, label, beforeText, afterText, problem|null}]}] (first 200),
   *  problems, unknown: [{row, number}]}; planId is null while any cell is invalid.
   * Applying is runBulk(planId). */
  importSheet: (folderId, handle = null) => call('import_sheet', { folderId, handle }),
  /** The folder's presets → [{id, name, edits: [FieldEdit], summary: [{label, text}]}]. */
  listPresets: (folderId) => call('list_presets', { folderId }),
  /** Saves (same name: replaces) a preset, checked against the folder's fields → the preset. */
  savePreset: (folderId, name, edits) => call('save_preset', { folderId, name, edits }),
  deletePreset: (folderId, presetId) => call('delete_preset', { folderId, presetId }),
};

/** The wording shown above the server's own message, per error kind. */
export const KIND_LEADS = Object.freeze({
  transport: 'Cannot reach BeProduct. Check your connection and try again.',
  auth: 'BeProduct refused the credentials. Open “Connect to BeProduct…” to fix them.',
  throttled: 'BeProduct is busy (too many requests). Try again in a moment.',
  not_found: 'That item no longer exists on BeProduct.',
  keychain: 'The system keychain is not available.',
  outcome_unknown: 'The connection dropped; the change may or may not have been saved. Refresh to check.',
});

/** Human wording per error kind, shown above the server's own message. */
export function describeError(err) {
  const e = normalise(err);
  const lead = KIND_LEADS[e.kind];
  return { title: lead || e.message, message: lead ? e.message : null, kind: e.kind, detail: e.detail, fields: e.fields };
}
