/**
 * Selection as a file manager does it: click selects one, Ctrl/Cmd toggles, Shift extends from the anchor over
 * the rows as currently shown (sorted and filtered). Pure functions, so the rules are unit-tested.
 */
export interface SelectionState {
  selected: ReadonlySet<string>;
  anchor: string | null;
  focus: string | null;
}

export const EMPTY_SELECTION: SelectionState = { selected: new Set(), anchor: null, focus: null };

export interface ClickModifiers {
  toggle: boolean;
  range: boolean;
}

function rangeBetween(order: readonly string[], a: string, b: string): string[] {
  const i = order.indexOf(a);
  const j = order.indexOf(b);
  if (i === -1 || j === -1) return [b];
  return order.slice(Math.min(i, j), Math.max(i, j) + 1);
}

export function clickSelect(state: SelectionState, order: readonly string[], key: string, mods: ClickModifiers): SelectionState {
  if (mods.range && state.anchor !== null) {
    const range = rangeBetween(order, state.anchor, key);
    const selected = mods.toggle ? new Set([...state.selected, ...range]) : new Set(range);
    return { selected, anchor: state.anchor, focus: key };
  }
  if (mods.toggle) {
    const selected = new Set(state.selected);
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    return { selected, anchor: key, focus: key };
  }
  return { selected: new Set([key]), anchor: key, focus: key };
}

/** Arrow keys, Home/End, PageUp/PageDown: move the focus by `delta` rows (clamped), extending with Shift. */
export function moveFocus(state: SelectionState, order: readonly string[], delta: number, extend: boolean): SelectionState {
  if (order.length === 0) return state;
  const current = state.focus === null ? -1 : order.indexOf(state.focus);
  const start = current === -1 ? (delta > 0 ? -1 : order.length) : current;
  const next = Math.max(0, Math.min(order.length - 1, start + delta));
  const key = order[next];
  if (key === undefined) return state;
  if (extend) {
    const anchor = state.anchor ?? key;
    return { selected: new Set(rangeBetween(order, anchor, key)), anchor, focus: key };
  }
  return { selected: new Set([key]), anchor: key, focus: key };
}

export function selectAll(order: readonly string[]): SelectionState {
  return { selected: new Set(order), anchor: order[0] ?? null, focus: order[order.length - 1] ?? null };
}

/** Type-ahead: the first row at or after the focus whose name starts with the typed text (case-insensitive). */
export function typeAheadMatch(names: readonly { key: string; name: string }[], focus: string | null, typed: string): string | null {
  if (!typed) return null;
  const needle = typed.toLocaleLowerCase();
  const from = Math.max(0, names.findIndex((n) => n.key === focus));
  for (let k = 0; k < names.length; k += 1) {
    const row = names[(from + k) % names.length];
    if (row && row.name.toLocaleLowerCase().startsWith(needle)) return row.key;
  }
  return null;
}
