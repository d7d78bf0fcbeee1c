import { useEffect, useId, useRef, type ReactNode } from 'react';
import { captureFocus } from './focus-return';
import './dialog.css';

/**
 * A modal on the native <dialog>: focus trapping, Escape and the top layer come from the browser. When it closes
 * (Escape, Cancel, or after its action), focus goes back to the element that opened it.
 */
export function Dialog({ title, onClose, children, wide, className }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    const back = captureFocus();
    if (d && !d.open) {
      d.showModal();
      // showModal focuses the first control (the close button); put the user where the dialog wants them.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    return () => {
      d?.close();
      back.restore();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' wide' : ''}${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}
