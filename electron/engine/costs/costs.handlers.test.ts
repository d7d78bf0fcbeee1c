import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/contract';
import type { PriceCatalog } from '../../../shared/contract/costs.catalog';
import type { CostEstimate } from '../../../shared/contract/costs.estimate';
import type { ScanProgress, ScanResult, WhatIfResult } from '../../../shared/contract/costs.scan';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { findRegion } from './lookup';
import { DEFAULT_ADMISSION, rangedReadPlan } from '../jobs/admission';

/** The cost channels through the real engine: contract parsing, a local account, events, result envelopes. */
let dir: string;
let engine: Engine;
const events: ScanProgress[] = [];

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skyferry-costs-engine-'));
  const root = path.join(dir, 'disk');
  for (let i = 0; i < 120; i++) {
    const p = path.join(root, 'bucket', `d${i % 4}`, `f${i}.csv`);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, Buffer.alloc(1000 + i));
  }
  engine = await createEngine({ dataDir: path.join(dir, 'data'), cipher: await createFileKeyCipher(path.join(dir, 'data', 'secrets.key')) });
  engine.subscribe((event, payload) => {
    if (event === 'costs:scanProgress') events.push(payload as ScanProgress);
  });
  value(await engine.invoke('accounts:save', { account: { kind: 'local', name: 'disk', root } }));
});

afterAll(async () => {
  await engine.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('costs channels', () => {
  it('scans a local bucket in the background, reports progress, and answers a what-if', async () => {
    const { id } = value<{ id: string }>(await engine.invoke('costs:scan', { uri: 'file://disk/bucket/' }));
    let result = value<ScanResult>(await engine.invoke('costs:scanResult', { id }));
    for (let i = 0; i < 100 && result.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      result = value<ScanResult>(await engine.invoke('costs:scanResult', { id }));
    }
    expect(result.state).toBe('done');
    // 120 files of 1,000 + i bytes: 120,000 + (0 + ... + 119) = 120,000 + 7,140 = 127,140
    expect(result.totals?.objects).toBe(120);
    expect(result.totals?.bytes).toBe(127_140);
    expect(result.totals?.byCategory.datasets?.count).toBe(120);
    expect(result.pricing).toEqual({ provider: 'local', region: 'local' });
    expect(result.keeping?.monthlyUsd).toBe(0);
    expect(events.at(-1)).toMatchObject({ id, state: 'done', objects: 120, bytes: 127_140 });

    const w = value<WhatIfResult>(await engine.invoke('costs:whatIf', { id, olderThanDays: 0, targetClass: 'STANDARD_IA', pricing: { provider: 'aws-s3', region: 'us-east-1' } }));
    expect(w.movedObjects).toBe(120);
    // all 120 objects are under 128 KiB: each billed as 128 KiB in Standard-IA, 120 x 128 KiB = 15,360 KiB
    // = 15 MiB = 15/1024 GB x $0.0125
    expect(w.newMonthlyUsd).toBeCloseTo((15 / 1024) * 0.0125, 12);
  });

  it('edits a price and the estimate follows, then resets', async () => {
    const req = {
      source: { provider: 'gcs', region: 'europe-west1' }, destination: { provider: 'local', region: 'local' },
      files: 1, bytes: 10 * 2 ** 30, path: 'relay', headsPerFile: 0,
    };
    // europe-west1 has no free egress: 10 GB x $0.12 + 1 LIST x $0.005/1,000 + the object read in parallel ranges:
    // 10 GiB / 5 MiB = 2,048 ranged GETs (rangedReadPlan) x $0.0004/1,000
    const gets = rangedReadPlan(req.bytes, DEFAULT_ADMISSION, true)?.parts ?? 0;
    expect(gets).toBe(2048);
    expect(value<CostEstimate>(await engine.invoke('costs:estimateTransfer', req)).totalUsd).toBeCloseTo(1.2 + 0.000005 + gets * 0.0000004, 10);
    const edited = value<PriceCatalog>(await engine.invoke('costs:setPrice', { provider: 'gcs', region: 'europe-west1', field: 'egress', value: 0.2 }));
    expect(findRegion(edited, 'gcs', 'europe-west1').egress.internet[0]?.usdPerGb.source).toBe('edited by you');
    expect(value<CostEstimate>(await engine.invoke('costs:estimateTransfer', req)).totalUsd).toBeCloseTo(2 + 0.000005 + gets * 0.0000004, 10);
    value(await engine.invoke('costs:resetCatalog', {}));
    const { overlay } = value<{ overlay: { edits: unknown[] } }>(await engine.invoke('costs:catalog', {}));
    expect(overlay.edits).toEqual([]);
  });

  it('answers wrong input with a clear error, not a crash', async () => {
    const bad = await engine.invoke('costs:setPrice', { provider: 'gcs', region: 'europe-west1', field: 'egress', value: -1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = await engine.invoke('costs:scanResult', { id: 'nope' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const noBucket = await engine.invoke('costs:scan', { uri: 'file://disk/' });
    expect(noBucket).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
