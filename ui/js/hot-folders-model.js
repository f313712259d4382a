// Hot folders as the sidebar words them (pure; tests/js/hot-folders-model.test.mjs). The
// backend sends each folder's state and counts (`list_hot_folders`, `hotfolders://changed`).

/** The state line: "Paused: …", "Not watched: …" or "Watching" with what it has done. */
export function stateText(view) {
  const state = view?.state || {};
  if (state.kind === 'paused') return `Paused: ${state.reason || 'the upload queue is paused'}`;
  if (state.kind === 'error') return `Not watched: ${state.reason || 'the folder cannot be read'}`;
  const c = view?.counts || {};
  const parts = [];
  if (c.settling) parts.push(`${c.settling} being written`);
  if (c.queued) parts.push(`${c.queued} uploading`);
  if (c.uploaded) parts.push(`${c.uploaded} uploaded`);
  if (c.rejected) parts.push(`${c.rejected} rejected`);
  if (c.failed) parts.push(`${c.failed} failed`);
  return parts.length ? `Watching · ${parts.join(' · ')}` : 'Watching';
}

/** The tone of the state for styling: 'error', 'paused' or 'ok' (a rejected file is a warning). */
export function stateTone(view) {
  const kind = view?.state?.kind;
  if (kind === 'error') return 'error';
  if (kind === 'paused') return 'paused';
  return (view?.counts?.rejected || view?.counts?.failed) ? 'warn' : 'ok';
}

/** The list after a `hotfolders://changed` payload ({type: 'changed', folder} | {type: 'removed', id}). */
export function applyChange(list, change) {
  if (change?.type === 'removed') return list.filter((f) => f.id !== change.id);
  const folder = change?.folder;
  if (change?.type !== 'changed' || !folder?.id) return list;
  const at = list.findIndex((f) => f.id === folder.id);
  if (at < 0) return [...list, folder];
  return list.map((f, i) => (i === at ? folder : f));
}
