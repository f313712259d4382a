// Pure windowing math for the image grid (grid.js): which rows and cards are near the
// viewport, where a card goes, which pages of the listing they need, where a key moves to.
// No DOM here, so it runs under `node --test` (tests/js/grid-window.test.mjs).
//
// Coordinates are the grid's own: 0 is the top of the first row. A row's "pitch" is the
// card height plus the gap under it.

/** Columns the CSS `repeat(auto-fill, minmax(minCard, 1fr))` would make in `width`, and the
 * width each card gets: {cols, cardWidth}. */
export function columnLayout(width, { minCard = 150, gap = 12 } = {}) {
  const w = Math.max(0, Number(width) || 0);
  const cols = Math.max(1, Math.floor((w + gap) / (minCard + gap)));
  const cardWidth = cols === 1 ? Math.max(w, 0) : (w - gap * (cols - 1)) / cols;
  return { cols, cardWidth };
}

/** Rows needed for `total` cards in `cols` columns. */
export function rowCount(total, cols) {
  return total > 0 ? Math.ceil(total / Math.max(1, cols)) : 0;
}

/** The full height of the grid (px) for `total` cards: every row but the last has its gap. */
export function contentHeight(total, cols, pitch, gap = 0) {
  const rows = rowCount(total, cols);
  return rows ? rows * pitch - gap : 0;
}

/** Where card `index` sits: {row, col, top, left}. */
export function cellPosition(index, { cols, cardWidth, pitch, gap = 0 }) {
  const row = Math.floor(index / cols);
  const col = index % cols;
  return { row, col, top: row * pitch, left: col * (cardWidth + gap) };
}

/**
 * The cards to have in the DOM for a scroll position.
 * `scrollTop` and `viewport` are the scroller's; `offset` is where the grid starts inside the
 * scrolled content (padding, bars above it). `overscan` rows are added above and below.
 * → {firstRow, lastRow (exclusive), start, end (exclusive card indices)}; empty when total is 0.
 */
export function visibleRange({ scrollTop, viewport, offset = 0, pitch, cols, total, overscan = 2 }) {
  const rows = rowCount(total, cols);
  if (!rows || !(pitch > 0)) return { firstRow: 0, lastRow: 0, start: 0, end: 0 };
  // Past the end (the total shrank under a scrolled grid): the last rows, never an empty window.
  const top = Math.min(scrollTop - offset, Math.max(0, rows * pitch - viewport));
  const bottom = top + Math.max(0, viewport);
  let firstRow = Math.floor(top / pitch) - overscan;
  let lastRow = Math.ceil(bottom / pitch) + overscan;
  firstRow = Math.min(Math.max(0, firstRow), rows);
  lastRow = Math.min(Math.max(firstRow, lastRow), rows);
  return { firstRow, lastRow, start: firstRow * cols, end: Math.min(total, lastRow * cols) };
}

/** The pages (of `pageSize` cards) that cover the indices [start, end). */
export function pagesFor(start, end, pageSize) {
  if (end <= start) return [];
  const pages = [];
  for (let p = Math.floor(start / pageSize); p * pageSize < end; p += 1) pages.push(p);
  return pages;
}

/**
 * The pages to ask for so the cards [start, end) can be shown: a page is needed when one of its
 * indices in the range is not loaded (`isLoaded(i)` false), and it is not already `inflight`
 * nor `blocked` (Sets of page numbers). Nearest to `focus` (an index, default the range's
 * middle) first, so the rows the user looks at come before the overscan.
 */
export function neededPages({ start, end, pageSize, isLoaded, inflight = new Set(), blocked = new Set(), focus }) {
  const middle = focus ?? Math.floor((start + end) / 2);
  const centre = (p) => Math.abs(p * pageSize + pageSize / 2 - middle);
  return pagesFor(start, end, pageSize)
    .filter((p) => !inflight.has(p) && !blocked.has(p))
    .filter((p) => {
      for (let i = Math.max(start, p * pageSize); i < Math.min(end, (p + 1) * pageSize); i += 1) if (!isLoaded(i)) return true;
      return false;
    })
    .sort((a, b) => centre(a) - centre(b) || a - b);
}

/** Where a navigation key moves from card `index` in a grid of `total` cards: the new index,
 * or null for a key that does not move. Up/down keep the column; they stop at the first/last
 * row instead of wrapping (a short last row: down goes to the last card). */
export function stepIndex(index, key, cols, total) {
  if (total <= 0) return null;
  const last = total - 1;
  const i = Math.min(Math.max(0, index), last);
  switch (key) {
    case 'ArrowRight': return Math.min(last, i + 1);
    case 'ArrowLeft': return Math.max(0, i - 1);
    case 'ArrowDown': return i + cols <= last ? i + cols : (Math.floor(i / cols) < Math.floor(last / cols) ? last : i);
    case 'ArrowUp': return i - cols >= 0 ? i - cols : i;
    case 'Home': return 0;
    case 'End': return last;
    default: return null;
  }
}

/** The scrollTop that brings card `index`'s row fully into view with the least movement
 * (like scrollIntoView({block: 'nearest'})); the current scrollTop when it already is. */
export function scrollToReveal(index, { scrollTop, viewport, offset = 0, pitch, cols, gap = 0 }) {
  const row = Math.floor(index / Math.max(1, cols));
  const top = offset + row * pitch;
  const bottom = top + pitch - gap;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}
