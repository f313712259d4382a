// Tags and comments of the open image, under its form. Each change is saved at once and the
// backend answers with what the server now has, which is what is shown.
import { h, $ } from './dom.js';
import { api } from './api.js';
import { showToast, showError } from './toast.js';
import { confirmDialog } from './dialogs.js';
import { choicesFrom, forgetChoices } from './choices.js';

let imageId = null;   // the image shown; answers for another one are dropped
let tags = [];
let comments = [];
let editing = null;   // the id of the comment being edited

export function initAnnotations() {
  $('#tag-form').addEventListener('submit', (e) => { e.preventDefault(); addTag(); });
  $('#comment-form').addEventListener('submit', (e) => { e.preventDefault(); addComment(); });
  $('#comment-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); addComment(); }
  });
}

/** Shows the tags and comments of `image` (null hides both sections). */
export function showAnnotations(image) {
  imageId = image?.id || null;
  editing = null;
  $('#image-tags').hidden = !imageId;
  $('#image-comments').hidden = !imageId;
  tags = [];
  comments = [];
  renderTags();
  renderComments();
  if (!imageId) return;
  const id = imageId;
  load(id, () => api.imageTags(id), (list) => { tags = list; renderTags(); }, '#tags-note', 'Tags');
  load(id, () => api.imageComments(id), (list) => { comments = list; renderComments(); }, '#comments-note', 'Comments');
  choicesFrom('tags').then((options) => {
    if (id !== imageId) return;
    $('#tag-suggestions').replaceChildren(...options.map((o) => h('option', { value: o.label })));
  }, () => {});  // suggestions are a convenience: typing a name still works
}

async function load(id, fetch, show, note, what) {
  $(note).hidden = true;
  try {
    const list = await fetch();
    if (id === imageId) show(Array.isArray(list) ? list : []);
  } catch (err) {
    if (id !== imageId) return;
    $(note).hidden = false;
    $(note).textContent = `${what} could not be loaded: ${err?.message || err}`;
  }
}

function renderTags() {
  $('#tag-list').replaceChildren(...tags.map((name) => h('li', { class: 'tag-chip' },
    h('span', { text: name }),
    h('button', { type: 'button', attrs: { 'aria-label': `Remove tag ${name}`, title: 'Remove tag' }, text: '×', on: { click: () => removeTag(name) } }))));
}

/** Runs one change; its answer replaces the list; the typed text stays on failure. */
async function change(run, apply, failure) {
  const id = imageId;
  try {
    const list = await run(id);
    if (id === imageId) apply(Array.isArray(list) ? list : []);
    return true;
  } catch (err) {
    showError(failure, err);
    return false;
  }
}

async function addTag() {
  const input = $('#tag-input');
  const names = input.value.split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length || !imageId) return;
  const ok = await change((id) => api.changeTags(id, names, []), (list) => { tags = list; renderTags(); }, 'Could not add the tag.');
  if (ok) { input.value = ''; input.focus(); forgetChoices('tags'); }
}

async function removeTag(name) {
  await change((id) => api.changeTags(id, [], [name]), (list) => { tags = list; renderTags(); }, `Could not remove the tag ${name}.`);
  $('#tag-input').focus();
}

function when(text) {
  const d = new Date(text || '');
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}

function renderComments() {
  $('#comment-list').replaceChildren(...comments.map((c) => {
    const body = editing === c.id
      ? h('form', { class: 'comment-form', on: { submit: (e) => { e.preventDefault(); saveEdit(c.id, e.target.elements.text.value); } } },
        h('textarea', { name: 'text', rows: 2, value: c.body, attrs: { 'aria-label': 'Edit the comment' } }),
        h('button', { type: 'submit', class: 'button small primary', text: 'Save' }),
        h('button', { type: 'button', class: 'button small', text: 'Cancel', on: { click: () => { editing = null; renderComments(); } } }))
      : h('div', { class: 'comment-body', text: c.body });
    return h('li', { class: 'comment', dataset: { commentId: c.id } },
      h('div', { class: 'comment-meta' },
        h('span', { class: 'comment-author', text: c.from?.name || 'Someone' }),
        h('span', { text: when(c.createdDate) }),
        h('span', { class: 'comment-actions' },
          h('button', { type: 'button', class: 'button small', text: 'Edit', attrs: { 'aria-label': 'Edit this comment' }, on: { click: () => { editing = c.id; renderComments(); $('#comment-list textarea')?.focus(); } } }),
          h('button', { type: 'button', class: 'button small danger-ghost', text: 'Delete', attrs: { 'aria-label': 'Delete this comment' }, on: { click: () => deleteComment(c) } }))),
      body);
  }));
}

const showComments = (list) => { comments = list; editing = null; renderComments(); };

async function addComment() {
  const input = $('#comment-input');
  if (!input.value.trim() || !imageId) return;
  const ok = await change((id) => api.addComment(id, input.value), showComments, 'Could not add the comment.');
  if (ok) { input.value = ''; showToast('Comment added.'); }
}

async function saveEdit(commentId, text) {
  await change((id) => api.editComment(id, commentId, text), showComments, 'Could not save the comment.');
}

async function deleteComment(comment) {
  const ok = await confirmDialog({ title: 'Delete comment', message: 'Delete this comment? This cannot be undone.', ok: 'Delete', danger: true });
  if (!ok) return;
  await change((id) => api.deleteComment(id, comment.id), showComments, 'Could not delete the comment.');
}
