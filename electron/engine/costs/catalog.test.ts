import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PriceCatalogSchema,
  type Figure,
  type PriceCatalog,
  type ProviderPricing,
} from '../../../shared/contract/costs.catalog';
import { SHIPPED_CATALOG } from './catalog';
import { sourced, storageClass } from './catalog/figures';
import { createCatalogStore, OVERLAY_FILE } from './catalog-store';
import { estimateTransfer } from './estimator';
import { findClass, findRegion } from './lookup';
import { DEFAULT_ADMISSION, rangedReadPlan } from '../jobs/admission';

function figures(value: unknown, out: Figure[] = []): Figure[] {
  if (Array.isArray(value)) for (const v of value) figures(v, out);
  else if (value && typeof value === 'object') {
    if ('value' in value && 'source' in value && 'asOf' in value) out.push(value as Figure);
    else for (const v of Object.values(value)) figures(v, out);
  }
  return out;
}

describe('shipped catalog', () => {
  it('covers the providers with several regions each, and every figure has a source page and a date', () => {
    const ids = SHIPPED_CATALOG.providers.map((p) => p.id);
    expect(ids).toEqual(['aws-s3', 'gcs', 'azure-blob', 'cloudflare-r2', 'wasabi', 'local']);
    for (const p of SHIPPED_CATALOG.providers) if (p.id !== 'local') expect(p.regions.length).toBeGreaterThanOrEqual(2);
    const all = figures(SHIPPED_CATALOG);
    expect(all.length).toBeGreaterThan(400);
    for (const f of all) {
      expect(f.asOf).toMatch(/^20\d\d-\d\d-\d\d$/);
      if (!f.source.startsWith('Skyferry')) expect(f.source).toMatch(/^https:\/\//);
    }
  });

  it('gives every cold class a retrieval price and a minimum duration', () => {
    const cold = [
      ['aws-s3', 'us-east-1', ['STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE']],
      ['gcs', 'europe-west3', ['NEARLINE', 'COLDLINE', 'ARCHIVE']],
      ['azure-blob', 'westeurope', ['Cool', 'Cold', 'Archive']],
    ] as const;
    for (const [provider, region, classes] of cold) {
      for (const c of classes) {
        const cls = findClass(findRegion(SHIPPED_CATALOG, provider, region), c);
        expect(cls.retrievalUsdPerGb?.value, `${provider} ${c}`).toBeGreaterThan(0);
        expect(cls.minStorageDays?.value, `${provider} ${c}`).toBeGreaterThanOrEqual(30);
      }
    }
  });

  it('rejects a catalog with bad tiers, a negative price, no source, or a missing default class', () => {
    const bad = (mutate: (c: PriceCatalog) => void): string => {
      const c = structuredClone(SHIPPED_CATALOG);
      mutate(c);
      const r = PriceCatalogSchema.safeParse(c);
      return r.success ? 'accepted' : (r.error.issues[0]?.message ?? '');
    };
    const s3 = (c: PriceCatalog): PriceCatalog['providers'][number] => c.providers[0] as PriceCatalog['providers'][number];
    expect(bad((c) => { s3(c).regions[0]!.egress.internet.reverse(); })).toMatch(/open-ended|ascend/);
    expect(bad((c) => { s3(c).regions[0]!.classes[0]!.writeUsdPer1000.value = -1; })).not.toBe('accepted');
    expect(bad((c) => { s3(c).regions[0]!.classes[0]!.readUsdPer1000.source = ''; })).not.toBe('accepted');
    expect(bad((c) => { s3(c).regions[0]!.defaultClass = 'NOPE'; })).toMatch(/default class "NOPE"/);
    expect(bad((c) => { s3(c).regions.push(structuredClone(s3(c).regions[0]!)); })).toMatch(/duplicate region/);
    expect(bad(() => undefined)).toBe('accepted');
  });
});

describe('catalog overlay (user edits)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skyferry-costs-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const b2 = (): ProviderPricing => {
    const s = sourced('https://www.backblaze.com/cloud-storage/pricing', '2024-10-01');
    return {
      id: 'backblaze-b2', name: 'Backblaze B2', kind: 's3', multipart: { initiateRequests: 1, completeRequests: 1 }, notes: [],
      regions: [{
        id: 'us-west-004', name: 'US West', defaultClass: 'STANDARD',
        classes: [storageClass(s, { id: 'STANDARD', name: 'B2', storage: 0.006, write: 0, read: 0.0004 })],
        egress: { internetFreeGbPerMonth: s.fig(0), internet: s.tiers([[null, 0.01]]) },
      }],
    };
  };

  it('saves an edited price, reloads it in a new session, and the estimate changes with it', async () => {
    const req = {
      source: { provider: 'aws-s3', region: 'us-east-1' }, destination: { provider: 'local', region: 'local' },
      files: 1, bytes: 1100 * 2 ** 30, path: 'relay' as const, headsPerFile: 0,
    };
    const before = estimateTransfer(await createCatalogStore(dir).effective(), req);
    // 1,100 GB - 100 free = 1,000 GB x $0.09 = $90, + one LIST, + the object read in parallel ranges: 1,100 GiB /
    // 5 MiB = 225,280 ranged GETs (rangedReadPlan) x $0.0004/1,000
    const gets = rangedReadPlan(req.bytes, DEFAULT_ADMISSION, true)?.parts ?? 0;
    expect(gets).toBe(225_280);
    expect(before.totalUsd).toBeCloseTo(90 + 0.000005 + gets * 0.0000004, 9);

    await createCatalogStore(dir).setPrice({ provider: 'aws-s3', region: 'us-east-1', field: 'egress', tier: 0, value: 0.05 });
    const reopened = await createCatalogStore(dir).effective();
    const tier0 = findRegion(reopened, 'aws-s3', 'us-east-1').egress.internet[0]!.usdPerGb;
    expect(tier0.value).toBe(0.05);
    expect(tier0.source).toBe('edited by you');
    expect(tier0.note).toMatch(/Was 0.09 \(https:\/\/aws.amazon.com\/s3\/pricing\/, 2024-10-01\)/);
    // 1,000 GB x $0.05 = $50
    expect(estimateTransfer(reopened, req).totalUsd).toBeCloseTo(50 + 0.000005 + gets * 0.0000004, 9);
    // other regions keep the shipped price
    expect(findRegion(reopened, 'aws-s3', 'us-west-2').egress.internet[0]!.usdPerGb.value).toBe(0.09);
    expect((await fs.readdir(dir)).sort()).toEqual([OVERLAY_FILE]);
  });

  it('adds an S3-compatible provider and a region, persists both, and resets to the shipped catalog', async () => {
    const store = createCatalogStore(dir);
    await store.addProvider(b2());
    const region = structuredClone(findRegion(SHIPPED_CATALOG, 'aws-s3', 'us-east-1'));
    region.id = 'ap-southeast-2';
    region.name = 'Asia Pacific (Sydney)';
    await store.addRegion('aws-s3', region);
    const again = await createCatalogStore(dir).effective();
    expect(findRegion(again, 'backblaze-b2', 'us-west-004').classes[0]?.storageUsdPerGbMonth[0]?.usdPerGb.value).toBe(0.006);
    expect(findRegion(again, 'aws-s3', 'ap-southeast-2').name).toBe('Asia Pacific (Sydney)');

    await createCatalogStore(dir).reset();
    const reset = await createCatalogStore(dir).effective();
    expect(reset).toEqual(SHIPPED_CATALOG);
  });

  it('refuses an edit that names nothing, a clash with a shipped provider, or an invalid provider, and saves nothing', async () => {
    const store = createCatalogStore(dir);
    await expect(store.setPrice({ provider: 'aws-s3', region: 'us-east-1', class: 'NOPE', field: 'storage', value: 1 })).rejects.toThrow(/storage class "NOPE"/);
    await expect(store.setPrice({ provider: 'aws-s3', region: 'mars-1', class: 'STANDARD', field: 'storage', value: 1 })).rejects.toThrow(/region "mars-1"/);
    await expect(store.setPrice({ provider: 'aws-s3', region: 'us-east-1', field: 'write', value: 1 })).rejects.toThrow(/name one/);
    await expect(store.addProvider({ ...b2(), id: 'aws-s3' })).rejects.toThrow(/shipped provider/);
    const broken = b2();
    broken.regions[0]!.defaultClass = 'MISSING';
    await expect(store.addProvider(broken)).rejects.toThrow(/price catalog would be invalid/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('resets one provider only, and sets a aside a damaged overlay file instead of failing', async () => {
    const store = createCatalogStore(dir);
    await store.addProvider(b2());
    await store.setPrice({ provider: 'gcs', region: 'us-east1', class: 'STANDARD', field: 'storage', value: 0.5 });
    const after = await store.reset('gcs');
    expect(findClass(findRegion(after, 'gcs', 'us-east1'), 'STANDARD').storageUsdPerGbMonth[0]?.usdPerGb.value).toBe(0.02);
    expect(after.providers.some((p) => p.id === 'backblaze-b2')).toBe(true);

    await fs.writeFile(path.join(dir, OVERLAY_FILE), '{ not json');
    expect(await createCatalogStore(dir).effective()).toEqual(SHIPPED_CATALOG);
    expect((await fs.readdir(dir)).some((f) => f.startsWith(`${OVERLAY_FILE}.damaged-`))).toBe(true);
  });

  it('serialises concurrent edits: all of them land', async () => {
    const store = createCatalogStore(dir);
    const classes = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];
    await Promise.all(classes.map((c, i) => store.setPrice({ provider: 'aws-s3', region: 'eu-west-1', class: c, field: 'read', value: i + 1 })));
    const reopened = await createCatalogStore(dir).effective();
    classes.forEach((c, i) => expect(findClass(findRegion(reopened, 'aws-s3', 'eu-west-1'), c).readUsdPer1000.value).toBe(i + 1));
  });
});
