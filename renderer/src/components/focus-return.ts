/**
 * Where focus goes back to when a transient surface (a dialog, a menu, a preview) closes: the element that had it
 * when the surface opened, or, if that element is gone by then (a row that was deleted or re-rendered), the nearest
 * focusable ancestor it had. Captured when the surface opens; `restore` is safe to call more than once.
 */
export interface FocusReturn {
  restore(): void;
}

function focusable(el: Element | null): el is HTMLElement {
  return el instanceof HTMLElement && el !== document.body && el.isConnected;
}

export function captureFocus(): FocusReturn {
  const opener = document.activeElement;
  const origin = focusable(opener) ? opener : null;
  const fallback = origin?.parentElement?.closest<HTMLElement>('[tabindex], [role="grid"], main') ?? null;
  return {
    restore() {
      const target = origin?.isConnected ? origin : fallback?.isConnected ? fallback : null;
      if (!target || (target.contains(document.activeElement) && document.activeElement !== document.body)) return;
      // A grid keeps its focus on the element with tabindex 0 (the body of the table or the current row).
      const inner = target.matches('[tabindex]') ? target : target.querySelector<HTMLElement>('[tabindex="0"]');
      (inner ?? target).focus({ preventScroll: true });
    },
  };
}
