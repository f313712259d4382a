// Drag out: a card (or the selection it is in) pressed and moved past the threshold is dragged
// out of the window as its original files. The page only names the images; the backend
// (`drag_out`) downloads what is not cached yet, telling progress, and starts the OS drag
// itself with paths the page never sees. While it runs, <body data-drag-out> is 'preparing'
// then 'dragging' (CSS and the end-to-end tests read it).
import { $ } from './dom.js';
import { api } from './api.js';
import { selection } from './selection.js';
import { loadedOrder } from './grid.js';
import { showToast, hideToast, showError } from './toast.js';
import { dragIds, movedEnough, progressText, outcomeText } from './drag-out-model.js';

/** Progress shows only for downloads longer than this (a cached original starts at once). */
const QUIET_MS = 300;

let press = null;   // {id, x, y} while the button is down on a card
let busy = false;   // one drag out at a time

export function initDragOut() {
  const grid = $('#grid');
  grid.addEventListener('mousedown', (e) => {
    const card = e.target.closest('.card[data-image-id]');
    press = e.button === 0 && !e.shiftKey && !busy && card && !card.classList.contains('skeleton')
      ? { id: card.dataset.imageId, x: e.clientX, y: e.clientY } : null;
  });
  document.addEventListener('mouseup', () => { press = null; });
  document.addEventListener('mousemove', (e) => {
    if (!press || !(e.buttons & 1)) { press = null; return; }
    if (!movedEnough(press, { x: e.clientX, y: e.clientY })) return;
    const { id } = press;
    press = null;
    dragOut(id);
  });
}

async function dragOut(id) {
  const picked = dragIds(selection.get(), id, loadedOrder());
  if (picked.error) { showToast(picked.error); return; }
  busy = true;
  document.body.dataset.dragOut = 'preparing';
  let shown = false;
  let latest = null;
  const quiet = setTimeout(() => { shown = true; if (latest) showToast(progressText(latest), { timeout: 0 }); }, QUIET_MS);
  const onEvent = (event) => {
    if (event?.phase === 'downloading') {
      latest = event;
      if (shown) showToast(progressText(event), { timeout: 0 });
    } else if (event?.phase === 'dragging') {
      document.body.dataset.dragOut = 'dragging';
      if (shown) hideToast();
    }
  };
  try {
    const reply = await api.dragOut(picked.ids, onEvent);
    const text = outcomeText(reply);
    if (text) showToast(text);
    else if (shown) hideToast();
  } catch (err) {
    showError(picked.ids.length === 1 ? 'Could not drag the image out.' : 'Could not drag the images out.', err);
  } finally {
    clearTimeout(quiet);
    busy = false;
    delete document.body.dataset.dragOut;
  }
}
