import { useState, type FormEvent } from 'react';
import type { Figure, ProviderPricing } from '../../../../shared/contract/costs.catalog';
import { useStore } from '../../store';
import { Options } from '../Options';

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function slugOf(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64);
}

/** Reset one provider's edits or all of them, after a second click that says what will be lost. */
export function ResetButtons({ provider, providerName }: { provider: string; providerName: string }) {
  const resetPrices = useStore((s) => s.resetPrices);
  const toast = useStore((s) => s.toast);
  const [asking, setAsking] = useState<'one' | 'all' | null>(null);
  const reset = async (): Promise<void> => {
    const problem = await resetPrices(asking === 'one' ? provider : undefined);
    setAsking(null);
    if (problem) toast('error', problem);
    else toast('success', asking === 'one' ? `${providerName}: back to the shipped prices` : 'All prices are back to the shipped catalog');
  };
  if (asking) {
    return (
      <div className="reset-confirm" role="group" aria-label="Confirm reset">
        <span>{asking === 'one' ? `Forget your changes to ${providerName}?` : 'Forget every change you made to the catalog, including added providers and regions?'}</span>
        <button type="button" className="danger" onClick={() => void reset()}>
          Reset
        </button>
        <button type="button" onClick={() => setAsking(null)}>
          Keep
        </button>
      </div>
    );
  }
  return (
    <div className="reset-buttons">
      <button type="button" onClick={() => setAsking('one')}>
        Reset {providerName}…
      </button>
      <button type="button" onClick={() => setAsking('all')}>
        Reset all prices…
      </button>
    </div>
  );
}

/** A new region of a provider, starting from the prices of one of its regions (then edited figure by figure). */
export function AddRegionForm({ provider, onAdded }: { provider: ProviderPricing; onAdded: (id: string) => void }) {
  const addRegion = useStore((s) => s.addPricingRegion);
  const [from, setFrom] = useState('');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const base = provider.regions.find((r) => r.id === from) ?? provider.regions[0];
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!SLUG.test(id.trim())) return setError('The region id is letters, digits, dot, dash or underscore (e.g. eu-west-3).');
    if (!base) return setError('Choose a region to start from.');
    const region = { ...structuredClone(base), id: id.trim(), name: name.trim() || id.trim() };
    const problem = await addRegion(provider.id, region);
    setError(problem);
    if (!problem) {
      onAdded(region.id);
      setId('');
      setName('');
    }
  };
  return (
    <form className="cost-card cost-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="add-region-h">
      <h3 id="add-region-h">Add a region to {provider.name}</h3>
      <label className="field">
        <span>Region id</span>
        <input value={id} onChange={(e) => setId(e.target.value)} placeholder="eu-west-3" aria-invalid={error !== null} />
      </label>
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Europe (Paris)" />
      </label>
      <label className="field">
        <span>Start from the prices of</span>
        <select value={base?.id ?? ''} onChange={(e) => setFrom(e.target.value)}>
          <Options items={provider.regions.map((r) => [r.id, r.name])} />
        </select>
      </label>
      <p className="field-error" role={error ? 'alert' : undefined}>
        {error}
      </p>
      <button type="submit">Add region</button>
    </form>
  );
}

type Field = 'storage' | 'write' | 'read' | 'egress' | 'freeEgress';
const FIELDS: Array<{ key: Field; label: string }> = [
  { key: 'storage', label: 'Storage, $ per GB-month' },
  { key: 'write', label: 'Writes, $ per 1,000' },
  { key: 'read', label: 'Reads, $ per 1,000' },
  { key: 'egress', label: 'Internet egress, $ per GB' },
  { key: 'freeEgress', label: 'Free egress, GB a month' },
];

/** An S3-compatible provider with one region and one class at the user's own prices. */
export function AddProviderForm({ onAdded }: { onAdded: (id: string) => void }) {
  const addProvider = useStore((s) => s.addPricingProvider);
  const [name, setName] = useState('');
  const [region, setRegion] = useState('default');
  const [source, setSource] = useState('');
  const [values, setValues] = useState<Record<Field, string>>({ storage: '', write: '0', read: '0', egress: '0', freeEgress: '0' });
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const id = slugOf(name);
    if (!name.trim() || !id) return setError('Enter the provider’s name.');
    if (!SLUG.test(region.trim())) return setError('The region id is letters, digits, dot, dash or underscore.');
    const nums = Object.fromEntries(FIELDS.map((f) => [f.key, Number(values[f.key].trim().replace(',', '.'))])) as Record<Field, number>;
    const bad = FIELDS.find((f) => values[f.key].trim() === '' || !Number.isFinite(nums[f.key]) || nums[f.key] < 0);
    if (bad) return setError(`${bad.label}: enter a number, 0 or more.`);
    const asOf = today();
    const src = source.trim() || 'entered by you';
    const fig = (value: number): Figure => ({ value, source: src, asOf });
    const provider: ProviderPricing = {
      id,
      name: name.trim(),
      kind: 's3',
      multipart: { initiateRequests: 1, completeRequests: 1 },
      notes: [`Added by you on ${asOf}.`],
      regions: [
        {
          id: region.trim(),
          name: region.trim(),
          defaultClass: 'STANDARD',
          classes: [
            {
              id: 'STANDARD',
              name: 'Standard',
              storageUsdPerGbMonth: [{ upToGb: null, usdPerGb: fig(nums.storage) }],
              writeUsdPer1000: fig(nums.write),
              readUsdPer1000: fig(nums.read),
              listUsdPer1000: fig(nums.write),
            },
          ],
          egress: { internetFreeGbPerMonth: fig(nums.freeEgress), internet: [{ upToGb: null, usdPerGb: fig(nums.egress) }] },
        },
      ],
    };
    const problem = await addProvider(provider);
    setError(problem);
    if (!problem) {
      onAdded(id);
      setName('');
    }
  };
  return (
    <form className="cost-card cost-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="add-provider-h">
      <h3 id="add-provider-h">Add an S3-compatible provider</h3>
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Backblaze B2" />
      </label>
      <label className="field">
        <span>Region id</span>
        <input value={region} onChange={(e) => setRegion(e.target.value)} />
      </label>
      {FIELDS.map((f) => (
        <label className="field" key={f.key}>
          <span>{f.label}</span>
          <input inputMode="decimal" value={values[f.key]} onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))} />
        </label>
      ))}
      <label className="field">
        <span>Source of these prices</span>
        <input value={source} onChange={(e) => setSource(e.target.value)} placeholder="https://… (the provider's pricing page)" />
      </label>
      <p className="field-error" role={error ? 'alert' : undefined}>
        {error}
      </p>
      <button type="submit">Add provider</button>
    </form>
  );
}
