import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobDetailSchema, JobSummarySchema, type JobSummary } from '../../../shared/contract/jobs.channels';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';

/** The jobs channels as the renderer drives them: through engine.invoke, with the built-in local account. */
let base: string;
let engine: Engine;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-jobs-engine-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
});
afterAll(async () => {
  await engine?.close();
  await rm(base, { recursive: true, force: true });
});

async function call(channel: string, request: unknown): Promise<unknown> {
  const r = await engine.invoke(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('jobs channels through the engine', () => {
  it('refuses a copy without a destination', async () => {
    const r = await engine.invoke('jobs:start', { kind: 'copy', sources: ['file:///tmp/x'] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('invalid_input');
  });

  it('an upload-style copy between local folders runs, reports progress events and shows in list/get', async () => {
    await mkdir(path.join(base, 'from', 'photos'), { recursive: true });
    await writeFile(path.join(base, 'from', 'photos', 'p.jpg'), 'pixels');
    const events: JobSummary[] = [];
    const off = engine.subscribe((event, payload) => {
      if (event === 'jobs:progress') events.push(JobSummarySchema.parse(payload));
    });
    const { id } = (await call('jobs:start', { kind: 'copy', sources: [`file://${base}/from/photos/`], destination: `file://${base}/to/` })) as { id: string };
    for (let i = 0; i < 200 && JobSummarySchema.array().parse(await call('jobs:list', {})).find((j) => j.id === id)?.state !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const detail = JobDetailSchema.parse(await call('jobs:get', { id }));
    off();
    expect(detail.state).toBe('completed');
    expect(detail.title).toMatch(/^Copy "photos" to file:\/\//);
    expect(detail.files[0]?.checksum).toBe('md5');
    expect(await readFile(path.join(base, 'to', 'photos', 'p.jpg'), 'utf8')).toBe('pixels');
    expect(events.at(-1)?.state).toBe('completed');
    expect(await call('jobs:clearHistory', {})).toEqual({ ok: true });
    expect(await call('jobs:list', {})).toEqual([]);
  });
});
