import { describe, expect, it } from 'vitest';
import { clickSelect, EMPTY_SELECTION, moveFocus, selectAll, typeAheadMatch } from './selection';

const order = ['a', 'b', 'c', 'd', 'e'];
const keys = (s: { selected: ReadonlySet<string> }): string[] => [...s.selected].sort();

describe('mouse selection', () => {
  it('click selects one, Ctrl toggles, Shift extends from the anchor', () => {
    let s = clickSelect(EMPTY_SELECTION, order, 'b', { toggle: false, range: false });
    expect(keys(s)).toEqual(['b']);
    s = clickSelect(s, order, 'd', { toggle: true, range: false });
    expect(keys(s)).toEqual(['b', 'd']);
    s = clickSelect(s, order, 'b', { toggle: true, range: false });
    expect(keys(s)).toEqual(['d']);
    s = clickSelect(s, order, 'a', { toggle: false, range: true });
    // Ctrl+click moved the anchor to b.
    expect(keys(s)).toEqual(['a', 'b']);
  });
  it('Ctrl+Shift adds a range to what is selected', () => {
    let s = clickSelect(EMPTY_SELECTION, order, 'a', { toggle: false, range: false });
    s = clickSelect(s, order, 'd', { toggle: true, range: false });
    s = clickSelect(s, order, 'e', { toggle: true, range: true });
    expect(keys(s)).toEqual(['a', 'd', 'e']);
  });
});

describe('keyboard selection', () => {
  it('arrows move the focus and clamp at the ends', () => {
    let s = moveFocus(EMPTY_SELECTION, order, 1, false);
    expect(s.focus).toBe('a');
    s = moveFocus(s, order, -5, false);
    expect(s.focus).toBe('a');
    s = moveFocus(s, order, 100, false);
    expect(s.focus).toBe('e');
  });
  it('Shift+arrows extend from the anchor', () => {
    let s = clickSelect(EMPTY_SELECTION, order, 'b', { toggle: false, range: false });
    s = moveFocus(s, order, 2, true);
    expect(keys(s)).toEqual(['b', 'c', 'd']);
    s = moveFocus(s, order, -3, true);
    expect(keys(s)).toEqual(['a', 'b']);
  });
  it('select all takes every row shown', () => {
    expect(selectAll(order).selected.size).toBe(5);
  });
  it('type-ahead finds the next name starting with the typed text', () => {
    const rows = [
      { key: 'k1', name: 'Alpha' },
      { key: 'k2', name: 'beta' },
      { key: 'k3', name: 'Bravo' },
    ];
    expect(typeAheadMatch(rows, null, 'b')).toBe('k2');
    expect(typeAheadMatch(rows, 'k2', 'br')).toBe('k3');
    expect(typeAheadMatch(rows, 'k3', 'zz')).toBeNull();
  });
});
