import { describe, expect, it } from 'vitest';
import { revealOffset, rowRange } from './rowWindow';

const g = { rowHeight: 28, offset: 30, overscan: 16 };

describe('rowRange', () => {
  it('draws the rows on screen and the overscan below them at the top of the list', () => {
    // 300 px of viewport less the 30 px header: rows 0..9 are (partly) visible.
    expect(rowRange(0, 300, 1_000_000, g)).toEqual({ start: 0, end: 10 + 16 });
  });

  it('draws the same few rows at the end of a million as at the start', () => {
    const count = 1_000_000;
    const max = 30 + count * 28 - 300;
    const r = rowRange(max, 300, count, g);
    expect(r.end).toBe(count);
    expect(r.end - r.start).toBeLessThanOrEqual(11 + 16);
    expect(r.start).toBe(Math.floor((max - 30) / 28) - 16);
  });

  it('counts a row partly scrolled past as shown', () => {
    // Row 0 spans 30..58: at 40 it is still partly visible (under the sticky header, but drawn).
    expect(rowRange(40 + 16 * 28, 300, 100, g).start).toBe(0);
    expect(rowRange(58 + 16 * 28, 300, 100, g).start).toBe(1);
  });

  it('never runs past the rows there are, even while the scroller still shows a longer list', () => {
    expect(rowRange(0, 300, 3, g)).toEqual({ start: 0, end: 3 });
    expect(rowRange(10_000, 300, 3, g)).toEqual({ start: 2, end: 3 });
    expect(rowRange(0, 300, 0, g)).toEqual({ start: 0, end: 0 });
  });
});

describe('revealOffset', () => {
  it('leaves a row that is in view where it is', () => {
    expect(revealOffset(3, 0, 300, 100, g)).toBeNull();
  });

  it('brings a row below the viewport up to its bottom edge', () => {
    // Row 20 ends at 30 + 21 * 28 = 618.
    expect(revealOffset(20, 0, 300, 100, g)).toBe(618 - 300);
  });

  it('brings a row above the viewport down to just under the sticky header', () => {
    expect(revealOffset(5, 1000, 300, 100, g)).toBe(5 * 28);
    // Half hidden under the header counts as out of view.
    expect(revealOffset(5, 5 * 28 + 10, 300, 100, g)).toBe(5 * 28);
  });

  it('goes to the very end for the last of a million rows', () => {
    const count = 1_000_000;
    expect(revealOffset(count - 1, 0, 300, count, g)).toBe(30 + count * 28 - 300);
    expect(revealOffset(count + 5, 0, 300, count, g)).toBe(30 + count * 28 - 300);
  });

  it('goes to the top for the first row', () => {
    expect(revealOffset(0, 5000, 300, 1000, g)).toBe(0);
  });
});
