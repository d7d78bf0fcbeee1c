import { useState, type FormEvent } from 'react';
import type { ScanResult } from '../../../../shared/contract/costs.scan';
import { formatCount, formatSize } from '../../format';
import { useStore } from '../../store';
import { CostLines } from './CostLines';
import { formatUsd } from './money';
import { Options } from '../Options';

/** "If the objects older than N days moved to class X": the new monthly cost, the saving and what the move costs once. */
export function WhatIfPanel({ result }: { result: ScanResult }) {
  const catalog = useStore((s) => s.costCatalog);
  const whatIf = useStore((s) => s.whatIf);
  const runWhatIf = useStore((s) => s.runWhatIf);
  const region = catalog?.providers.find((p) => p.id === result.pricing.provider)?.regions.find((r) => r.id.toLowerCase() === result.pricing.region.toLowerCase());
  const classes = region?.classes ?? [];
  const [days, setDays] = useState('90');
  const [target, setTarget] = useState('');
  const chosen = target || classes.find((c) => c.id !== region?.defaultClass)?.id || classes[0]?.id || '';
  const daysNum = Number(days);
  const daysError = days.trim() === '' || !Number.isInteger(daysNum) || daysNum < 0 || daysNum > 36_500 ? 'Enter a whole number of days (0 or more).' : null;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (daysError || !chosen) return;
    void runWhatIf({ olderThanDays: daysNum, targetClass: chosen });
  };

  const r = whatIf.result;
  return (
    <section className="cost-card" aria-labelledby="what-if-h">
      <h3 id="what-if-h">What if older objects moved to another class?</h3>
      <form className="cost-form-row" onSubmit={submit} noValidate>
        <label className="field">
          <span>Objects older than (days)</span>
          <input type="number" min={0} max={36500} step={1} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} aria-invalid={daysError !== null} aria-describedby="what-if-error" />
        </label>
        <label className="field">
          <span>Move to class</span>
          <select value={chosen} onChange={(e) => setTarget(e.target.value)}>
            <Options items={classes.map((c) => [c.id, `${c.name} (${c.id})`])} />
          </select>
        </label>
        <button type="submit" className="primary" disabled={whatIf.busy || daysError !== null || !chosen}>
          Compute
        </button>
      </form>
      <p id="what-if-error" className="field-error" role={daysError || whatIf.error ? 'alert' : undefined}>
        {daysError ?? whatIf.error}
      </p>
      {r && (
        <div data-testid="what-if-result" aria-live="polite">
          <dl className="cost-totals">
            <div>
              <dt>Now</dt>
              <dd>{formatUsd(r.currentMonthlyUsd)} a month</dd>
            </div>
            <div>
              <dt>After the move</dt>
              <dd data-testid="what-if-new">{formatUsd(r.newMonthlyUsd)} a month</dd>
            </div>
            <div>
              <dt>{r.monthlySavingUsd >= 0 ? 'Saving' : 'Extra cost'}</dt>
              <dd data-testid="what-if-saving">{formatUsd(Math.abs(r.monthlySavingUsd))} a month</dd>
            </div>
            <div>
              <dt>Objects moved</dt>
              <dd>
                {formatCount(r.movedObjects)} ({formatSize(r.movedBytes)})
              </dd>
            </div>
          </dl>
          <h4>Paid once for the move</h4>
          <CostLines estimate={r.oneTime} label="One-time costs of the move" testId="what-if-one-time" />
          {r.notes.length > 0 && (
            <ul className="cost-notes">
              {r.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
