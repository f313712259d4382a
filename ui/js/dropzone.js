// Native file drops. Tauri (dragDropEnabled) takes OS drags away from the web page and reports
// them as `tauri://drag-enter|over|leave` with the pointer position in PHYSICAL pixels; we
// convert to CSS pixels and hit-test with elementFromPoint:
//   .card[data-image-id]      → new version of that image
//   .folder[data-folder-id]   → new images in that folder
//   anything else in the grid → new images in the current folder
// The element under the pointer gets `.drop-target` while dragging. The dropped files stay in
// Rust: `app://dropped` brings an opaque handle (plus count, names and the drop position), and
// the page queues the handle. The page never names a path (docs/SECURITY.md).
import { $ } from './dom.js';
import { listen } from './api.js';
import { state } from './state.js';
import { enqueueFiles } from './uploads-toolbar.js';
import { newImageTarget } from './upload-target.js';

let highlighted = null;

export async function initDropzone() {
  await listen('tauri://drag-enter', (e) => highlight(targetAt(e.payload?.position)));
  await listen('tauri://drag-over', (e) => highlight(targetAt(e.payload?.position)));
  await listen('tauri://drag-leave', () => highlight(null));
  await listen('tauri://drag-drop', () => highlight(null));
  await listen('app://dropped', (e) => {
    const hit = targetAt(e.payload?.position);
    highlight(null);
    const handle = e.payload?.handle;
    if (hit && typeof handle === 'string') enqueueFiles(handle, hit.target);
  });
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
