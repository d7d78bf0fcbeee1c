import { useState, type FormEvent } from 'react';
import { useStore } from '../store';
import { Dialog } from './Dialog';

/**
 * The engine needs an MFA code to assume an AWS profile's role: for a connection test, a browse, or a job whose
 * credentials are being renewed (the job waits meanwhile). Shown over whatever the user is doing; the first waiting
 * prompt at a time.
 */
export function MfaPrompt() {
  const prompt = useStore((s) => s.mfaPrompts[0]);
  const answer = useStore((s) => s.answerMfa);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!prompt) return null;

  const send = async (value: string | undefined): Promise<void> => {
    setBusy(true);
    const failure = await answer(prompt.id, value);
    setBusy(false);
    setError(failure);
    if (failure === null) setCode('');
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) {
      setError('Enter the 6-digit code your MFA device shows');
      return;
    }
    void send(code.trim());
  };

  return (
    <Dialog key={prompt.id} title="MFA code" onClose={() => void send(undefined)}>
      <form onSubmit={submit}>
        <p className="dialog-note">
          <strong>{prompt.account}</strong> assumes the role of AWS profile <strong>{prompt.profile}</strong>, which asks for the current code of
          the MFA device <code>{prompt.serial}</code>.
        </p>
        <div className="field">
          <label htmlFor="mfa-code">Code</label>
          <input
            id="mfa-code"
            data-autofocus
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            aria-invalid={error !== null}
            onChange={(e) => setCode(e.target.value)}
          />
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={() => void send(undefined)} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Continue
          </button>
        </div>
      </form>
    </Dialog>
  );
}
