import { useState, type FormEvent } from 'react';
import type { Figure, PriceEdit } from '../../../../shared/contract/costs.catalog';
import { useStore } from '../../store';
import { formatDay, formatNumber, formatUnitPrice } from './money';

export type FigureUnit = 'usd' | 'days' | 'gb';

function show(value: number, unit: FigureUnit): string {
  if (unit === 'usd') return formatUnitPrice(value);
  if (unit === 'days') return `${formatNumber(value, 0)} days`;
  return `${formatNumber(value, 2)} GB`;
}

/** One figure of the catalog with its source and date, editable in place. */
export function PriceRow({ label, figure, unit, edit }: { label: string; figure: Figure; unit: FigureUnit; edit: Omit<PriceEdit, 'value'> }) {
  const setPrice = useStore((s) => s.setPrice);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const value = Number((draft ?? '').trim().replace(',', '.'));
    if ((draft ?? '').trim() === '' || !Number.isFinite(value) || value < 0) {
      setError('Enter a number, 0 or more.');
      return;
    }
    setBusy(true);
    const problem = await setPrice({ ...edit, value });
    setBusy(false);
    setError(problem);
    if (!problem) setDraft(null);
  };

  return (
    <tr>
      <th scope="row">{label}</th>
      <td className="num" data-testid="price-value">
        {draft === null ? (
          show(figure.value, unit)
        ) : (
          <form className="price-edit" onSubmit={(e) => void save(e)} noValidate>
            <input
              autoFocus
              type="text"
              inputMode="decimal"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              aria-label={`New value for ${label}`}
              aria-invalid={error !== null}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  setDraft(null);
                  setError(null);
                }
              }}
            />
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => (setDraft(null), setError(null))}>
              Cancel
            </button>
            {error && (
              <span className="field-error" role="alert">
                {error}
              </span>
            )}
          </form>
        )}
      </td>
      <td className="cost-source">
        {figure.source}
        {figure.note && <span className="muted"> · {figure.note}</span>}
      </td>
      <td>{formatDay(figure.asOf)}</td>
      <td>
        {draft === null && (
          <button type="button" onClick={() => setDraft(String(figure.value))} aria-label={`Edit ${label}`}>
            Edit
          </button>
        )}
      </td>
    </tr>
  );
}
