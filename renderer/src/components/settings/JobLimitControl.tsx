import { useState } from 'react';
import { formatRate, parseRates } from '../../../../shared/bandwidth';
import type { JobLimit } from '../../../../shared/contract';
import { useStore } from '../../store';

/** A running job's own bandwidth limit (`UP:DOWN` or one rate, as in the settings); it applies at once. */
export function JobLimitControl({ id, title }: { id: string; title: string }) {
  const limit = useStore((s) => s.jobLimits[id]);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!editing) {
    return (
      <button type="button" aria-label={`Limit the speed of ${title}`} onClick={() => setEditing(true)}>
        {limit ? `Limit: ↑ ${formatRate(limit.up ?? null)} ↓ ${formatRate(limit.down ?? null)}` : 'Limit speed'}
      </button>
    );
  }
  const apply = (): void => {
    let rates: JobLimit;
    try {
      rates = parseRates(text.trim() === '' ? 'off' : text);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    void useStore.getState().setJobLimit(id, rates);
    setEditing(false);
    setError(null);
  };
  return (
    <form
      className="job-limit"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <input aria-label={`Speed limit of ${title}`} placeholder="1M or 512k:2M or off" value={text} size={12} onChange={(e) => setText(e.target.value)} />
      <button type="submit">Set</button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && <span className="field-error">{error}</span>}
    </form>
  );
}
