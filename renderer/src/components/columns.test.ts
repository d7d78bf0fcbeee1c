import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS } from '../store/layout.slice';
import { gridTemplate, visibleColumns } from './columns';

describe('gridTemplate', () => {
  const cols = visibleColumns(DEFAULT_COLUMNS);

  it('keeps the chosen widths when the row has room, the name taking the rest', () => {
    const g = gridTemplate(DEFAULT_COLUMNS, cols, 2000);
    expect(g.widths).toEqual({ name: 150, size: 80, modified: 176, type: 110 });
    expect(g.template).toBe('minmax(150px, 1fr) 80px 176px 110px');
    expect(g.minWidth).toBe(516);
  });

  it('gives way date first, then type, then name, so that a narrow pane needs no sideways scroll', () => {
    const g = gridTemplate(DEFAULT_COLUMNS, cols, 360);
    expect(g.minWidth).toBe(360);
    expect(g.widths.size).toBe(80);
    // The date keeps room for "12:59 PM" whole.
    expect(g.widths.modified).toBe(80);
    expect(g.widths.type).toBe(84);
    expect(g.widths.name).toBe(116);
  });

  it('stops at the floors and never grows a column past its chosen width', () => {
    const g = gridTemplate(DEFAULT_COLUMNS, cols, 100);
    expect(g.widths).toEqual({ name: 110, size: 72, modified: 80, type: 84 });
    const narrow = { ...DEFAULT_COLUMNS, widths: { ...DEFAULT_COLUMNS.widths, modified: 60 } };
    expect(gridTemplate(narrow, cols, 100).widths.modified).toBe(60);
  });
});
