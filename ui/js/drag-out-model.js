// Drag out, the pure part (unit-tested in tests/js/drag-out-model.test.mjs): which images a
// drag from a card carries, when a press has become a drag, and what the page says meanwhile.
import { isSelected, selectedCount } from './selection.js';

/** As the backend's MAX_DRAG_IMAGES (src-tauri/src/drag_out/mod.rs). */
export const MAX_DRAG_IMAGES = 100;
/** Pixels the pointer moves with the button down before a press is a drag (as GTK's default). */
export const DRAG_THRESHOLD = 8;

export function movedEnough(from, to, threshold = DRAG_THRESHOLD) {
  return Math.hypot(to.x - from.x, to.y - from.y) >= threshold;
}

/** The images a drag from card `id` carries: the selection when the card is in it, else the
 * card alone → {ids} or {error} (what to tell the user instead).
 * `order`: the grid's loaded ids (holes: not loaded), for a Ctrl+A selection. */
export function dragIds(sel, id, order) {
  if (!id) return { error: 'Nothing to drag here.' };
  if (!isSelected(id, sel) || selectedCount(sel) <= 1) return { ids: [id] };
  const count = selectedCount(sel);
  if (count > MAX_DRAG_IMAGES) {
    return { error: `${count} images are selected; drag at most ${MAX_DRAG_IMAGES} at once (or export them).` };
  }
  if (sel.mode === 'ids') return { ids: [id, ...[...sel.ids].filter((x) => x !== id)] };
  // Everything the search matches: only what the grid has loaded can be named.
  const ids = order.filter((x) => x && !sel.ids.has(x));
  if (ids.length < count) return { error: 'Scroll through the selection once so every image is loaded, then drag again.' };
  return { ids: [id, ...ids.filter((x) => x !== id)] };
}

function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The progress line while originals download: {files, ready, received, total|null}. */
export function progressText(p) {
  const what = p.files === 1 ? 'the original' : `${p.files} originals`;
  if (p.total) {
    const pct = Math.min(100, Math.floor((p.received / p.total) * 100));
    return `Downloading ${what} to drag… ${pct}% (${size(p.received)} of ${size(p.total)})`;
  }
  return `Downloading ${what} to drag… ${size(p.received)}`;
}

/** What to say when the drag is over → text, or null for nothing. */
export function outcomeText(reply) {
  if (reply?.outcome === 'released') {
    return reply.files === 1 ? 'The original is ready: drag the image again.' : `The ${reply.files} originals are ready: drag them again.`;
  }
  return null;
}
