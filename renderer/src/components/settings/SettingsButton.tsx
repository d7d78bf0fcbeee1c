import { useState } from 'react';
import { formatRate, parseBandwidth } from '../../../../shared/bandwidth';
import { useStore } from '../../store';
import { Dialog } from '../Dialog';

/** Checks the field as the user types, with the same parser the engine uses. */
function syntaxError(text: string): string | null {
  try {
    parseBandwidth(text);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function SettingsDialog({ onClose }: { onClose: () => void }) {
  const bandwidth = useStore((s) => s.bandwidth);
  const [text, setText] = useState(bandwidth?.limit ?? '');
  const [error, setError] = useState<string | null>(null);
  const local = text.trim() === '' ? null : syntaxError(text);
  const save = async (): Promise<void> => {
    const e = await useStore.getState().setBandwidth(text);
    setError(e);
    if (e === null) {
      useStore.getState().toast('success', text.trim() === '' || text.trim() === 'off' ? 'No bandwidth limit' : 'Bandwidth limit saved');
      onClose();
    }
  };
  return (
    <Dialog title="Settings" onClose={onClose}>
      <form
        className="dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor="bwlimit">Bandwidth limit for all transfers</label>
        <input id="bwlimit" data-autofocus value={text} placeholder="off" spellCheck={false} aria-invalid={local !== null || error !== null} onChange={(e) => setText(e.target.value)} />
        <p className="muted">
          As rclone&apos;s --bwlimit: <code>1M</code> for both directions, <code>512k:2M</code> for upload:download, or a timetable such as <code>08:00,512k 19:00,off</code> (also{' '}
          <code>Mon-08:00,512k</code>). A bare number is KiB/s; <code>off</code> or empty is no limit.
        </p>
        {(local ?? error) !== null && <p className="field-error">{local ?? error}</p>}
        {bandwidth && (
          <p className="muted" aria-label="Limit in force">
            Now: upload {formatRate(bandwidth.now.up)}, download {formatRate(bandwidth.now.down)}
            {bandwidth.nextChange ? ` · changes at ${new Date(bandwidth.nextChange).toLocaleString()}` : ''}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={local !== null}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The header's Settings button and its dialog (the bandwidth limit and its timetable). */
export function SettingsButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="settings-button"
        onClick={() => {
          void useStore.getState().loadSettings();
          setOpen(true);
        }}
      >
        Settings
      </button>
      {open && <SettingsDialog onClose={() => setOpen(false)} />}
    </>
  );
}
