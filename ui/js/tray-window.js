// Windowing math for the upload tray (tray.js): which rows of a long list are near the
// viewport, and how tall the space above and below them is. Rows may differ in height (a
// failure reason can wrap): each row's height is the one measured when it was last drawn, or
// an estimate until then. Pure functions over numbers, so node can test them (tests/js).

/** Rows drawn beyond each edge of the viewport (smooth scrolling, keyboard focus nearby). */
export const OVERSCAN_ROWS = 6;

/** offsets[i] = top of row i; offsets[n] = the list's whole height. `heights` is an array of
 * row heights (numbers ≥ 0; anything else counts as 0). */
export function offsetsOf(heights) {
  const offsets = new Float64Array(heights.length + 1);
  for (let i = 0; i < heights.length; i += 1) {
    const h = Number(heights[i]);
    offsets[i + 1] = offsets[i] + (Number.isFinite(h) && h > 0 ? h : 0);
  }
  return offsets;
}

/** The first row whose bottom is below `y` (n when none is). */
function firstEndingBelow(offsets, y) {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] > y) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** The first row whose top is at or below `y` (n when none is). */
function firstStartingAtOrBelow(offsets, y) {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] >= y) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * The rows to draw for a viewport of `viewport` pixels scrolled to `scrollTop`:
 * {start, end (exclusive), top, bottom} where `top` is the height of the rows above `start`
 * and `bottom` that of the rows from `end` on. Rows touching the viewport are drawn, plus
 * `overscan` more on each side. A scroll position past the end (the list shrank) shows the
 * last rows.
 */
export function visibleRange(offsets, scrollTop, viewport, overscan = OVERSCAN_ROWS) {
  const n = offsets.length - 1;
  const total = offsets[n] || 0;
  if (n <= 0) return { start: 0, end: 0, top: 0, bottom: 0 };
  const view = Math.max(0, Number(viewport) || 0);
  const top = Math.min(Math.max(0, Number(scrollTop) || 0), Math.max(0, total - view));
  let start = firstEndingBelow(offsets, top);
  let end = firstStartingAtOrBelow(offsets, top + view);
  // At least the row at the top, even in an empty viewport (a collapsed or hidden tray).
  if (end <= start) end = Math.min(n, start + 1);
  start = Math.max(0, start - overscan);
  end = Math.min(n, end + overscan);
  return { start, end, top: offsets[start], bottom: total - offsets[end] };
}

/** The height to assume for a row not drawn yet: the most common measured height (rows are
 * alike but for a wrapped failure reason, so it stays put as more rows are measured and the
 * rows below do not jump), else `fallback`. */
export function estimateHeight(measured, fallback = 49) {
  const counts = new Map();
  for (const h of measured.values()) {
    if (Number.isFinite(h) && h > 0) counts.set(h, (counts.get(h) || 0) + 1);
  }
  let best = fallback;
  let most = 0;
  for (const [h, n] of counts) {
    if (n > most || (n === most && h < best)) { best = h; most = n; }
  }
  return best;
}

/** The first row at least partly in view at `scrollTop` (the row to keep still when heights
 * above it change), or -1 for an empty list. */
export function anchorRow(offsets, scrollTop) {
  const n = offsets.length - 1;
  if (n <= 0) return -1;
  let lo = 0;
  let hi = n - 1;
  const y = Math.max(0, Number(scrollTop) || 0);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] > y) hi = mid; else lo = mid + 1;
  }
  return lo;
}
