// Keyboard shortcuts for the whole window. Plain keys (/, Delete) stay out of text fields.
// Keys on a focused grid card (arrows, Enter, Space, Ctrl+A, Escape) are the grid's (grid.js);
// here Ctrl+A and Escape also reach the selection when the focus is on no control at all.
import { isTyping, $ } from './dom.js';
import { anyDialogOpen } from './dialogs.js';
import { focusSearch, clearSearch } from './search.js';
import { save, deleteOpen, showNew } from './detail.js';
import { focusGrid, gridTotal } from './grid.js';
import { selectAll, selectedCount, clearSelection } from './selection.js';
import { state } from './state.js';
import { deleteSelected } from './bulk-bar.js';

/** The focus is on the grid's area or on nothing (the page body): grid keys apply. */
function inGridArea(target) {
  return target === document.body || target === document.documentElement
    || (target instanceof Element && !!target.closest('#grid-scroller'));
}

export function initShortcuts() {
  document.addEventListener('keydown', (e) => {
    if (anyDialogOpen()) return;  // <dialog> handles Escape/Enter itself
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'f') { e.preventDefault(); focusSearch(); return; }
    if (mod && key === 's') { e.preventDefault(); save(); return; }
    if (mod && key === 'n') { e.preventDefault(); showNew(); return; }
    if (mod && !e.altKey && key === 'a' && !e.defaultPrevented && !isTyping(e.target) && inGridArea(e.target) && state.folderId) {
      e.preventDefault(); selectAll(gridTotal()); return;
    }
    // Delete (Cmd+Backspace on a Mac): the selection when several images are selected (one
    // confirmation naming the count), else the open or focused image.
    if ((e.key === 'Delete' || (e.key === 'Backspace' && e.metaKey && !e.ctrlKey)) && !e.altKey && !isTyping(e.target)) {
      if (selectedCount() > 1) { e.preventDefault(); deleteSelected(); return; }
      if (state.selectedId) { e.preventDefault(); deleteOpen(); return; }
    }
    if (mod || e.altKey) return;
    if (e.key === '/' && !isTyping(e.target)) { e.preventDefault(); focusSearch(); return; }
    if (e.key === 'Escape') {
      if (e.target === $('#search')) { clearSearch(); focusGrid(); return; }
      if (isTyping(e.target)) { e.target.blur(); return; }
      if (inGridArea(e.target) && selectedCount() > 0) { clearSelection(); return; }
      if (state.query.quick || state.query.filters.length) clearSearch();
    }
  });
}
