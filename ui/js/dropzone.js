// Native file drops. Tauri (dragDropEnabled) takes OS drags away from the web page and reports
// them as `tauri://drag-enter|over|leave` with the pointer position in PHYSICAL pixels; we
// convert to CSS pixels and hit-test with elementFromPoint:
//   .card[data-image-id]      → new version of that image
//   .folder[data-folder-id]   → new images in that folder
//   anything else in the grid → new images in the current folder
// Files handed over by a second launch ("Open with") come without a position: the current
// folder too, or a hint to choose one.
// A single .csv/.xlsx dropped anywhere but on a card goes to the handler set with
// `setSheetDropHandler` (the spreadsheet import) instead of the upload queue.
// The element under the pointer gets `.drop-target` while dragging. The dropped files stay in
// Rust: `app://dropped` brings an opaque handle (plus count, names and the drop position), and
// the page queues the handle. The page never names a path (docs/SECURITY.md).
import { $ } from './dom.js';
import { listen } from './api.js';
import { state } from './state.js';
import { enqueueFiles } from './uploads-toolbar.js';
import { showToast } from './toast.js';
import { newImageTarget, isSheetDrop } from './upload-target.js';

let highlighted = null;
let sheetDropHandler = null;

/** `fn(handle)` is called for a drop of exactly one .csv or .xlsx file that is not on a card,
 * instead of queueing it for upload. `null` removes the handler. */
export function setSheetDropHandler(fn) {
  sheetDropHandler = typeof fn === 'function' ? fn : null;
}

export async function initDropzone() {
  await listen('tauri://drag-enter', (e) => highlight(targetAt(e.payload?.position)));
  await listen('tauri://drag-over', (e) => highlight(targetAt(e.payload?.position)));
  await listen('tauri://drag-leave', () => highlight(null));
  await listen('tauri://drag-drop', () => highlight(null));
  await listen('app://dropped', (e) => {
    // No position: files handed over by a second launch ("Open with"), not dropped with a
    // pointer; they go to the open folder, like a drop on its grid.
    const handedOver = !e.payload?.position;
    const hit = handedOver ? currentFolderTarget() : targetAt(e.payload.position);
    highlight(null);
    const handle = e.payload?.handle;
    if (typeof handle !== 'string') return;
    if (sheetDropHandler && isSheetDrop(e.payload) && hit?.target.kind !== 'version') {
      sheetDropHandler(handle);
      return;
    }
    if (hit) enqueueFiles(handle, hit.target);
    else if (handedOver) showToast('Choose a folder first, then open the files with BeProduct Images again.');
  });
}

/** The open folder's grid as a drop target, or null when no folder is open. */
function currentFolderTarget() {
  return state.folderId ? { el: null, target: newImageTarget(state.folderId) } : null;
}

/** {el, target} for a physical window position, or null where a drop means nothing. */
export function targetAt(position) {
  if (!position) return null;
  const scale = window.devicePixelRatio || 1;
  const el = document.elementFromPoint(position.x / scale, position.y / scale);
  if (!el) return null;
  const card = el.closest('.card[data-image-id]');
  if (card && !card.classList.contains('skeleton')) {
    return { el: card, target: { kind: 'version', imageId: card.dataset.imageId } };
  }
  const folder = el.closest('.folder[data-folder-id]');
  if (folder) return { el: folder, target: newImageTarget(folder.dataset.folderId) };
  const library = el.closest('#grid-scroller');
  if (library && state.folderId) return { el: library, target: newImageTarget(state.folderId) };
  return null;
}

function highlight(hit) {
  const el = hit?.el || null;
  if (el === highlighted) return;
  highlighted?.classList.remove('drop-target');
  highlighted = el;
  el?.classList.add('drop-target');
  $('#grid-scroller')?.classList.toggle('dragging', !!el);
}
