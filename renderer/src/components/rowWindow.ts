import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';

/**
 * The rows of a scrolled list of equal-height rows that are on screen, found by arithmetic: the list keeps nothing
 * per row, so a million rows cost no more than ten and a page of rows arriving costs nothing here. (A general
 * virtualizer such as TanStack Virtual keeps every row's offset and rebuilds them whenever the count changes.)
 */
export interface RowGeometry {
  /** Every row's height in pixels. */
  rowHeight: number;
  /** Pixels of the scroller's content above the first row (a sticky header): also kept clear when revealing a row. */
  offset: number;
  /** Rows drawn beyond each edge of the viewport, so that a short scroll shows rows already there. */
  overscan: number;
}

/** The rows on screen: from `start` up to, not including, `end`. */
export interface RowRange {
  start: number;
  end: number;
}

/** The rows that meet the viewport [scrollTop, scrollTop + viewport) of the scroller's content, overscan left out. */
interface Seen {
  first: number;
  /** One past the last. */
  past: number;
}

function seenAt(scrollTop: number, viewport: number, g: RowGeometry): Seen {
  return {
    first: Math.floor(Math.max(0, scrollTop - g.offset) / g.rowHeight),
    past: Math.ceil(Math.max(0, scrollTop + viewport - g.offset) / g.rowHeight),
  };
}

function withOverscan(seen: Seen, count: number, g: RowGeometry): RowRange {
  if (count <= 0) return { start: 0, end: 0 };
  const start = Math.min(count - 1, Math.max(0, seen.first - g.overscan));
  return { start, end: Math.max(start + 1, Math.min(count, seen.past + g.overscan)) };
}

/** The rows to draw for the viewport [scrollTop, scrollTop + viewport) of the scroller's content, overscan included. */
export function rowRange(scrollTop: number, viewport: number, count: number, g: RowGeometry): RowRange {
  return withOverscan(seenAt(scrollTop, viewport, g), count, g);
}

/**
 * The scroll position that shows row `index` whole, moving as little as it can: its bottom at the viewport's bottom
 * when it is below, its top just under the header when it is above; null when it is already in view.
 */
export function revealOffset(index: number, scrollTop: number, viewport: number, count: number, g: RowGeometry): number | null {
  if (count <= 0) return null;
  const i = Math.max(0, Math.min(index, count - 1));
  const top = g.offset + i * g.rowHeight;
  const bottom = top + g.rowHeight;
  let to: number;
  if (bottom > scrollTop + viewport) to = bottom - viewport;
  else if (top < scrollTop + g.offset) to = top - g.offset;
  else return null;
  const max = Math.max(0, g.offset + count * g.rowHeight - viewport);
  return Math.max(0, Math.min(max, to));
}

/**
 * The rows to draw of `count` equal rows in the scroller `ref`, the height of all of them, and a way to bring a
 * row into view. Renders again only when a row enters or leaves the viewport, not on every pixel of a scroll.
 * `geometry` must keep its identity (a module constant).
 */
export function useRowWindow(
  ref: RefObject<HTMLElement | null>,
  count: number,
  geometry: RowGeometry,
): RowRange & { totalSize: number; scrollToIndex: (index: number) => void } {
  const [seen, setSeen] = useState<Seen>({ first: 0, past: 0 });
  const countRef = useRef(count);
  countRef.current = count;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const update = (sync: boolean): void => {
      // Whole rows: the state changes only when a row enters or leaves the viewport.
      const next = seenAt(el.scrollTop, el.clientHeight, geometry);
      const apply = (): void => setSeen((cur) => (cur.first === next.first && cur.past === next.past ? cur : next));
      // A scroll draws its rows before the frame is painted, as a browser draws a plain list, not a frame later.
      if (sync) flushSync(apply);
      else apply();
    };
    const onScroll = (): void => update(true);
    const ro = new ResizeObserver(() => update(false));
    update(false);
    el.addEventListener('scroll', onScroll, { passive: true });
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro.disconnect();
    };
  }, [ref, geometry]);

  const scrollToIndex = useCallback(
    (index: number): void => {
      const el = ref.current;
      if (!el) return;
      const to = revealOffset(index, el.scrollTop, el.clientHeight, countRef.current, geometry);
      if (to !== null) el.scrollTop = to;
    },
    [ref, geometry],
  );

  return { ...withOverscan(seen, count, geometry), totalSize: count * geometry.rowHeight, scrollToIndex };
}
