import { useState, type FormEvent } from 'react';
import type { PriceCatalog } from '../../../../shared/contract/costs.catalog';
import type { PricedPlace, TransferEstimateRequest } from '../../../../shared/contract/costs.estimate';
import { useStore } from '../../store';
import { CostLines } from './CostLines';
import { Options } from '../Options';

const UNITS = [
  { label: 'GiB', bytes: 2 ** 30 },
  { label: 'TiB', bytes: 2 ** 40 },
  { label: 'MiB', bytes: 2 ** 20 },
] as const;

const PATHS: Array<{ id: TransferEstimateRequest['path']; label: string }> = [
  { id: 'relay', label: 'Through this computer (relay)' },
  { id: 'cloud-pull', label: 'Pulled by the destination (signed URL)' },
  { id: 'server-side', label: 'Inside one provider (server-side copy)' },
];

function PlacePicker({ legend, catalog, place, onChange }: { legend: string; catalog: PriceCatalog; place: PricedPlace; onChange: (p: PricedPlace) => void }) {
  const provider = catalog.providers.find((p) => p.id === place.provider) ?? catalog.providers[0];
  const region = provider?.regions.find((r) => r.id === place.region) ?? provider?.regions[0];
  return (
    <fieldset className="cost-place">
      <legend>{legend}</legend>
      <label className="field">
        <span>Provider</span>
        <select
          value={provider?.id ?? ''}
          onChange={(e) => {
            const p = catalog.providers.find((x) => x.id === e.target.value);
            const r = p?.regions[0];
            if (p && r) onChange({ provider: p.id, region: r.id, class: r.defaultClass });
          }}
        >
          <Options items={catalog.providers.map((p) => [p.id, p.name])} />
        </select>
      </label>
      <label className="field">
        <span>Region</span>
        <select
          value={region?.id ?? ''}
          onChange={(e) => {
            const r = provider?.regions.find((x) => x.id === e.target.value);
            if (provider && r) onChange({ provider: provider.id, region: r.id, class: r.classes.some((c) => c.id === place.class) ? place.class : r.defaultClass });
          }}
        >
          <Options items={provider?.regions.map((r) => [r.id, `${r.name} (${r.id})`])} />
        </select>
      </label>
      <label className="field">
        <span>Storage class</span>
        <select value={place.class ?? region?.defaultClass ?? ''} onChange={(e) => onChange({ ...place, class: e.target.value })}>
          <Options items={region?.classes.map((c) => [c.id, `${c.name} (${c.id})`])} />
        </select>
      </label>
    </fieldset>
  );
}

function firstPlace(catalog: PriceCatalog, providerId: string): PricedPlace {
  const p = catalog.providers.find((x) => x.id === providerId) ?? catalog.providers[0];
  const r = p?.regions[0];
  return { provider: p?.id ?? providerId, region: r?.id ?? '', class: r?.defaultClass ?? '' };
}

/** What a copy will cost before it starts: egress, requests on both sides, retrieval. */
export function EstimatePanel() {
  const catalog = useStore((s) => s.costCatalog);
  const estimate = useStore((s) => s.transferEstimate);
  const estimateTransfer = useStore((s) => s.estimateTransfer);
  // Coming back to this tab shows the form of the estimate on screen, not the defaults.
  const [last] = useState(() => useStore.getState().transferEstimate.request);
  const lastUnit = last ? ([...UNITS].sort((a, b) => b.bytes - a.bytes).find((u) => last.bytes >= u.bytes) ?? UNITS[2]) : UNITS[0];
  const [source, setSource] = useState<PricedPlace | null>(last?.source ?? null);
  const [destination, setDestination] = useState<PricedPlace | null>(last?.destination ?? null);
  const [amount, setAmount] = useState(last ? String(+(last.bytes / lastUnit.bytes).toFixed(4)) : '100');
  const [unit, setUnit] = useState<number>(lastUnit.bytes);
  const [files, setFiles] = useState(last ? String(last.files) : '1000');
  const [path, setPath] = useState<TransferEstimateRequest['path']>(last?.path ?? 'relay');
  const [error, setError] = useState<string | null>(null);
  if (!catalog) return <p className="muted">Loading the price catalog…</p>;
  const src = source ?? firstPlace(catalog, 'aws-s3');
  const dst = destination ?? firstPlace(catalog, 'azure-blob');

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const n = Number(amount.trim().replace(',', '.'));
    const f = Number(files.trim());
    if (amount.trim() === '' || !Number.isFinite(n) || n < 0) return setError('Enter how much data, 0 or more.');
    if (files.trim() === '' || !Number.isInteger(f) || f < 0) return setError('Enter how many files, a whole number.');
    setError(null);
    void estimateTransfer({ source: src, destination: dst, bytes: Math.round(n * unit), files: f, path });
  };

  return (
    <section className="cost-section" aria-labelledby="estimate-h">
      <h2 id="estimate-h">Transfer estimate</h2>
      <p className="muted">What copying data between clouds costs before you start it, at the catalog&apos;s prices.</p>
      <form className="cost-form" onSubmit={submit} noValidate>
        <div className="cost-form-row">
          <PlacePicker legend="From" catalog={catalog} place={src} onChange={setSource} />
          <PlacePicker legend="To" catalog={catalog} place={dst} onChange={setDestination} />
        </div>
        <div className="cost-form-row">
          <label className="field">
            <span>Amount of data</span>
            <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={error !== null} />
          </label>
          <label className="field">
            <span>Unit</span>
            <select value={unit} onChange={(e) => setUnit(Number(e.target.value))}>
              <Options items={UNITS.map((u) => [u.bytes, u.label])} />
            </select>
          </label>
          <label className="field">
            <span>Number of files</span>
            <input inputMode="numeric" value={files} onChange={(e) => setFiles(e.target.value)} />
          </label>
          <label className="field">
            <span>Path</span>
            <select value={path} onChange={(e) => setPath(e.target.value as TransferEstimateRequest['path'])}>
              <Options items={PATHS.map((p) => [p.id, p.label])} />
            </select>
          </label>
          <button type="submit" className="primary" disabled={estimate.busy}>
            Estimate
          </button>
        </div>
        <p className="field-error" role={error || estimate.error ? 'alert' : undefined}>
          {error ?? estimate.error}
        </p>
      </form>
      {estimate.result && (
        <div aria-live="polite">
          <CostLines estimate={estimate.result} label="Transfer cost line items" testId="estimate" />
        </div>
      )}
    </section>
  );
}
