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
