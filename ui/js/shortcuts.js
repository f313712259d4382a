// Keyboard shortcuts for the whole window. Plain keys (/, Delete) stay out of text fields.
import { isTyping, $ } from './dom.js';
import { anyDialogOpen } from './dialogs.js';
import { focusSearch, clearSearch } from './search.js';
import { save, deleteOpen, showNew } from './detail.js';
import { focusGrid } from './grid.js';
import { state } from './state.js';

export function initShortcuts() {
  document.addEventListener('keydown', (e) => {
    if (anyDialogOpen()) return;  // <dialog> handles Escape/Enter itself
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'f') { e.preventDefault(); focusSearch(); return; }
    if (mod && key === 's') { e.preventDefault(); save(); return; }
    if (mod && key === 'n') { e.preventDefault(); showNew(); return; }
    if (mod || e.altKey) return;
    if (e.key === '/' && !isTyping(e.target)) { e.preventDefault(); focusSearch(); return; }
    if ((e.key === 'Delete' || (e.key === 'Backspace' && e.metaKey)) && !isTyping(e.target) && state.selectedId) {
      e.preventDefault(); deleteOpen(); return;
    }
    if (e.key === 'Escape') {
      if (e.target === $('#search')) { clearSearch(); focusGrid(); return; }
      if (isTyping(e.target)) { e.target.blur(); return; }
      if (state.query.quick || state.query.filters.length) clearSearch();
    }
  });
}
