// Lists the bulk views share (DOM only, every server string as text): images with reasons
// (failed, skipped, not deleted) and images with their changes (before → after, a problem
// flagged), as the view models of bulk-model.js give them.
import { h } from './dom.js';
import { capped, LIST_LIMIT } from './bulk-model.js';

/** Images with reasons, the first LIST_LIMIT of them (a 10,000-image edit can list thousands);
 * `failure`: the reasons read as errors (failed), else as notes (skipped). */
export function reasonList(items, { failure = false } = {}) {
  const { shown, more } = capped(items, LIST_LIMIT);
  // Focusable: a long list scrolls, and has nothing else the keyboard could reach.
  return h('ul', { class: ['bulk-reasons', failure ? 'failures' : ''], tabIndex: 0, attrs: { 'aria-label': failure ? 'Failed images and why' : 'Images and why' } },
    shown.map((x) => h('li', {},
      h('span', { class: 'bulk-reason-image', text: x.heading }),
      h('span', { class: 'bulk-reason-text', text: x.reason }))),
    more ? h('li', { class: 'muted', text: `…and ${more.toLocaleString()} more` }) : null);
}

/** Images with their changes: "Label  before → after" per field. */
export function sampleList(sample) {
  return h('ul', { class: 'bulk-sample' }, sample.map((s) => h('li', { class: 'bulk-sample-image' },
    h('div', { class: 'bulk-sample-heading', text: s.heading }),
    h('ul', { class: 'bulk-changes' }, s.changes.map((c) => h('li', { class: ['bulk-change', c.problem ? 'invalid' : ''] },
      h('span', { class: 'bulk-change-label', text: c.label }),
      h('span', { class: 'bulk-before', text: c.before }),
      h('span', { class: 'bulk-arrow', attrs: { 'aria-hidden': 'true' }, text: '→' }),
      h('span', { class: 'bulk-sr-only', text: ' becomes ' }),
      h('span', { class: 'bulk-after', text: c.after }),
      c.problem ? h('span', { class: 'bulk-problem', attrs: { role: 'note' }, text: c.problem }) : null))))));
}
