// Confirmation dialog (#confirm-dialog) as a promise. Escape or Cancel resolves false.
import { $ } from './dom.js';

let pending = null;

export function initDialogs() {
  const dialog = $('#confirm-dialog');
  $('#confirm-ok').addEventListener('click', () => finish(true));
  $('#confirm-cancel').addEventListener('click', () => finish(false));
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(false); });
}

function finish(answer) {
  const dialog = $('#confirm-dialog');
  if (dialog.open) dialog.close();
  const resolve = pending;
  pending = null;
  resolve?.(answer);
}

/** confirmDialog({title, message, ok: 'Delete', danger: true}) → Promise<boolean> */
export function confirmDialog({ title, message, ok = 'OK', cancel = 'Cancel', danger = false }) {
  if (pending) finish(false);
  const dialog = $('#confirm-dialog');
  $('#confirm-title').textContent = title;
  $('#confirm-message').textContent = message;
  const okBtn = $('#confirm-ok');
  okBtn.textContent = ok;
  okBtn.classList.toggle('danger', danger);
  $('#confirm-cancel').textContent = cancel;
  dialog.showModal();
  // Destructive actions default to Cancel so a stray Enter does not delete.
  (danger ? $('#confirm-cancel') : okBtn).focus();
  return new Promise((resolve) => { pending = resolve; });
}

export function anyDialogOpen() {
  return !!document.querySelector('dialog[open]');
}
