// Paste (Ctrl/Cmd+V) outside text fields: the backend reads the clipboard (`paste_files`) and
// hands its files, or its image saved as a PNG, over under a handle, like a drop. With the
// focus in (or the last click on) the open image's panel the paste is a new version of it;
// anywhere else, new images in the open folder (with the folder's intake preview where it has
// rules). Pasting into a text field stays text: those keys never reach here.
import { isTyping } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { anyDialogOpen } from './dialogs.js';
import { showToast, showError } from './toast.js';
import { enqueueFiles } from './uploads-toolbar.js';
import { newImageTarget } from './upload-target.js';

/** Where the user last clicked: the open image's panel, or elsewhere. A click on the panel's
 * text moves no focus, yet the user means that image. */
let lastClickInDetail = false;

export function initPaste() {
  document.addEventListener('pointerdown', (e) => {
    lastClickInDetail = e.target instanceof Element && !!e.target.closest('#detail');
  }, true);
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== 'v') return;
    if (isTyping(e.target) || anyDialogOpen()) return;
    e.preventDefault();
    paste(e.target);
  });
}

/** Where a paste with the focus on `el` goes, or null when there is no folder open. */
export function pasteTarget(el) {
  const focused = el instanceof Element && el !== document.body;
  const inDetail = focused ? !!el.closest('#detail') : lastClickInDetail;
  if (inDetail && state.openImage?.id && !state.creating) return { kind: 'version', imageId: state.openImage.id };
  if (state.folderId) return newImageTarget(state.folderId);
  return null;
}

async function paste(el) {
  const target = pasteTarget(el);
  if (!target) { showToast('Choose a folder first, then paste.'); return; }
  try {
    const files = await api.pasteFiles();
    if (!files?.handle) { showToast('The clipboard has no image or files to paste.'); return; }
    await enqueueFiles(files.handle, target);
  } catch (err) { showError('Could not paste.', err); }
}
