// One toast area (#toast) holding the latest message. Errors stay until dismissed and offer
// their kind and detail behind a "Details" button.
import { h, replaceChildren, $ } from './dom.js';
import { describeError } from './api.js';

let hideTimer;

export function showToast(message, { error = false, details = null, timeout = 4000 } = {}) {
  const toast = $('#toast');
  clearTimeout(hideTimer);
  toast.classList.toggle('toast-error', error);
  toast.setAttribute('role', error ? 'alert' : 'status');
  toast.setAttribute('aria-live', error ? 'assertive' : 'polite');

  const detailBox = details ? h('pre', { class: 'toast-details', hidden: true, text: details }) : null;
  const detailBtn = details ? h('button', {
    type: 'button', class: 'link-button', text: 'Details',
    on: { click: () => { detailBox.hidden = !detailBox.hidden; detailBtn.textContent = detailBox.hidden ? 'Details' : 'Hide details'; } },
  }) : null;
  const close = h('button', {
    type: 'button', class: 'icon-button toast-close', attrs: { 'aria-label': 'Dismiss' }, text: '×',
    on: { click: hideToast },
  });
  replaceChildren(toast, h('div', { class: 'toast-body' }, h('span', { class: 'toast-message', text: message }), detailBtn, close), detailBox);
  toast.hidden = false;
  toast.classList.add('visible');
  if (!error && timeout) hideTimer = setTimeout(hideToast, timeout);
}

export function hideToast() {
  const toast = $('#toast');
  toast.classList.remove('visible');
  toast.hidden = true;
}

/** Shows an ApiError (or anything thrown) as an error toast, prefixed with what was being done. */
export function showError(action, err) {
  const d = describeError(err);
  const text = [action, d.title, d.message].filter(Boolean).join(' — ');
  const details = [`kind: ${d.kind}`, d.detail ? `detail: ${typeof d.detail === 'string' ? d.detail : JSON.stringify(d.detail, null, 2)}` : null]
    .filter(Boolean).join('\n');
  showToast(text, { error: true, details });
}
