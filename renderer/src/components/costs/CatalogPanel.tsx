import { useState } from 'react';
import type { RegionPricing, StorageClassPricing, Tier } from '../../../../shared/contract/costs.catalog';
import { useStore } from '../../store';
import { AddProviderForm, AddRegionForm, ResetButtons } from './CatalogForms';
import { formatNumber } from './money';
import { PriceRow } from './PriceRow';
import { Options } from '../Options';

function tierLabel(what: string, tiers: Tier[], i: number): string {
  if (tiers.length === 1) return what;
  const t = tiers[i];
  const from = i === 0 ? 0 : (tiers[i - 1]?.upToGb ?? 0);
  if (!t || t.upToGb === null) return `${what}, over ${formatNumber(from)} GB`;
  return i === 0 ? `${what}, first ${formatNumber(t.upToGb)} GB` : `${what}, ${formatNumber(from)} to ${formatNumber(t.upToGb)} GB`;
}

function Head() {
  return (
    <thead>
      <tr>
        <th scope="col">Figure</th>
        <th scope="col" className="num">Price</th>
        <th scope="col">Source</th>
        <th scope="col">As of</th>
        <th scope="col">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

function ClassTable({ provider, region, cls }: { provider: string; region: string; cls: StorageClassPricing }) {
  const at = { provider, region, class: cls.id };
  const title = `${cls.name} (${cls.id})`;
  return (
    <section className="cost-card" aria-label={`Prices of ${title}`}>
      <h4>{title}</h4>
      <table className="cost-table price-table" aria-label={`Prices of ${title}`}>
        <Head />
        <tbody>
          {cls.storageUsdPerGbMonth.map((t, i) => (
            <PriceRow key={`s${i}`} label={tierLabel('Storage per GB-month', cls.storageUsdPerGbMonth, i)} figure={t.usdPerGb} unit="usd" edit={{ ...at, field: 'storage', tier: i }} />
          ))}
          <PriceRow label="Writes per 1,000" figure={cls.writeUsdPer1000} unit="usd" edit={{ ...at, field: 'write' }} />
          <PriceRow label="Reads per 1,000" figure={cls.readUsdPer1000} unit="usd" edit={{ ...at, field: 'read' }} />
          <PriceRow label="Lists per 1,000" figure={cls.listUsdPer1000} unit="usd" edit={{ ...at, field: 'list' }} />
          {cls.retrievalUsdPerGb && <PriceRow label="Retrieval per GB" figure={cls.retrievalUsdPerGb} unit="usd" edit={{ ...at, field: 'retrieval' }} />}
          {cls.minStorageDays && <PriceRow label="Minimum storage duration" figure={cls.minStorageDays} unit="days" edit={{ ...at, field: 'minStorageDays' }} />}
        </tbody>
      </table>
      {cls.notes?.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </section>
  );
}

function EgressTable({ provider, region }: { provider: string; region: RegionPricing }) {
  const at = { provider, region: region.id };
  const e = region.egress;
  return (
    <section className="cost-card" aria-label={`Egress prices of ${region.name}`}>
      <h4>Data transfer out</h4>
      <table className="cost-table price-table" aria-label={`Egress prices of ${region.name}`}>
        <Head />
        <tbody>
          <PriceRow label="Free internet egress a month" figure={e.internetFreeGbPerMonth} unit="gb" edit={{ ...at, field: 'egressFreeGb' }} />
          {e.internet.map((t, i) => (
            <PriceRow key={`e${i}`} label={tierLabel('Internet egress per GB', e.internet, i)} figure={t.usdPerGb} unit="usd" edit={{ ...at, field: 'egress', tier: i }} />
          ))}
          {e.interRegionUsdPerGb && <PriceRow label="To another region, per GB" figure={e.interRegionUsdPerGb} unit="usd" edit={{ ...at, field: 'interRegion' }} />}
        </tbody>
      </table>
      {e.notes?.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </section>
  );
}

/** The price catalog by provider, region and class; each figure with its source and date, editable. */
export function CatalogPanel() {
  const catalog = useStore((s) => s.costCatalog);
  const overlay = useStore((s) => s.costOverlay);
  const error = useStore((s) => s.costCatalogError);
  const [providerId, setProviderId] = useState('');
  const [regionId, setRegionId] = useState('');
  if (!catalog) return <p className={error ? 'field-error' : 'muted'}>{error ?? 'Loading the price catalog…'}</p>;
  const provider = catalog.providers.find((p) => p.id === providerId) ?? catalog.providers[0];
  if (!provider) return null;
  const region = provider.regions.find((r) => r.id === regionId) ?? provider.regions[0];
  const edits = overlay?.edits.filter((e) => e.provider === provider.id).length ?? 0;
  const added = overlay?.providers.some((p) => p.id === provider.id) ?? false;

  return (
    <section className="cost-section" aria-labelledby="catalog-h">
      <h2 id="catalog-h">Price catalog</h2>
      <p className="muted">All prices in US dollars, as published by each provider on the date shown. A GB is 2³⁰ bytes.</p>
      <div className="cost-form-row">
        <label className="field">
          <span>Provider</span>
          <select
            value={provider.id}
            onChange={(e) => {
              setProviderId(e.target.value);
              setRegionId('');
            }}
          >
            <Options items={catalog.providers.map((p) => [p.id, p.name])} />
          </select>
        </label>
        <label className="field">
          <span>Region</span>
          <select value={region?.id ?? ''} onChange={(e) => setRegionId(e.target.value)}>
            <Options items={provider.regions.map((r) => [r.id, `${r.name} (${r.id})`])} />
          </select>
        </label>
        <ResetButtons provider={provider.id} providerName={provider.name} />
      </div>
      <p className="muted" data-testid="catalog-status">
        {added ? 'You added this provider. ' : ''}
        {edits > 0 ? `You changed ${formatNumber(edits)} ${edits === 1 ? 'figure' : 'figures'} of ${provider.name}.` : added ? '' : 'Shipped prices, unchanged.'}
      </p>
      {provider.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      {region && (
        <div className="cost-grid catalog-grid" data-testid="catalog-region">
          {region.classes.map((c) => (
            <ClassTable key={c.id} provider={provider.id} region={region.id} cls={c} />
          ))}
          <EgressTable provider={provider.id} region={region} />
        </div>
      )}
      <div className="cost-grid">
        <AddRegionForm provider={provider} onAdded={(id) => setRegionId(id)} />
        <AddProviderForm
          onAdded={(id) => {
            setProviderId(id);
            setRegionId('');
          }}
        />
      </div>
    </section>
  );
}
