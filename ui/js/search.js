// Quick search box + filter builder → state.query → grid reload, debounced so results follow
// typing without a request per keystroke. Stale responses are dropped by the grid's generation.
import { $, debounce } from './dom.js';
import { state } from './state.js';
import { initFilters, currentFilters, clearFilters } from './filters.js';
import { reloadGrid } from './grid.js';

const DEBOUNCE_MS = 250;

const apply = debounce(() => {
  const next = { quick: $('#search').value, filters: currentFilters() };
  if (JSON.stringify(next) === JSON.stringify(state.query)) return;
  state.query = next;
  reloadGrid();
}, DEBOUNCE_MS);

export function initSearch() {
  const box = $('#search');
  box.addEventListener('input', () => { syncClear(); apply(); });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); apply.flush(); }
    if (e.key === 'Escape' && box.value) { e.preventDefault(); e.stopPropagation(); clearSearch(); }
  });
  $('#search-clear').addEventListener('click', () => { clearSearch(); box.focus(); });
  initFilters((opts) => (opts?.immediate ? apply.flush() : apply()));
}

function syncClear() {
  $('#search-clear').hidden = !$('#search').value;
}

/** Empties the quick box and all filter rows, then reloads at once. */
export function clearSearch() {
  $('#search').value = '';
  clearFilters();
  syncClear();
  apply.flush();
}

/** Resets the query without reloading (the caller reloads, e.g. on folder change). */
export function resetQuery() {
  apply.cancel();
  $('#search').value = '';
  syncClear();
  state.query = { quick: '', filters: [] };
}

export function focusSearch() {
  const box = $('#search');
  box.focus();
  box.select();
}
