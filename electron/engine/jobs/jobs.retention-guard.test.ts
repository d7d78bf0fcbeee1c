import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStartRequestSchema, type JobStartRequest } from '../../../shared/contract/jobs.channels';
import { createLocalProvider } from '../providers/local/local.provider';
import { JobManager } from './job-manager';
import { resolverFor } from '../test-support/resolver';

/**
 * A retention check (`unchangedBefore`) belongs to a delete. A copy or move that carries one is refused by the
 * contract, and a caller that goes round the contract still gets a copy: its sources are never deleted.
 */
let dir: string;
let root: string;
const OPTIONS = { unchangedBefore: '2999-01-01T00:00:00.000Z' };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-guard-'));
  root = path.join(dir, 'root');
  await mkdir(path.join(root, 'bkt', 'src'), { recursive: true });
  await mkdir(path.join(root, 'bkt', 'dst'), { recursive: true });
  await writeFile(path.join(root, 'bkt', 'src', 'only-copy.txt'), 'the only copy');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a retention check on a copy', () => {
  it('is refused by the contract', () => {
    const request: JobStartRequest = { kind: 'copy', sources: ['file://disk/bkt/src/'], destination: 'file://disk/bkt/dst/', options: OPTIONS };
    const parsed = JobStartRequestSchema.safeParse(request);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/only a delete/);
    expect(JobStartRequestSchema.safeParse({ kind: 'delete', sources: ['file://disk/bkt/src/'], options: OPTIONS }).success).toBe(true);
  });

  it('started round the contract, copies and leaves the source in place', async () => {
    const m = new JobManager({ resolve: resolverFor({ disk: createLocalProvider({ kind: 'local', name: 'disk', root }) }), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    try {
      const { id } = m.start({ kind: 'copy', sources: ['file://disk/bkt/src/only-copy.txt'], destination: 'file://disk/bkt/dst/', options: OPTIONS });
      await m.waitForIdle();
      expect(m.get(id).detail().state).toBe('completed');
    } finally {
      await m.close();
    }
    expect(await readFile(path.join(root, 'bkt', 'src', 'only-copy.txt'), 'utf8')).toBe('the only copy');
    expect(await readFile(path.join(root, 'bkt', 'dst', 'only-copy.txt'), 'utf8')).toBe('the only copy');
  });
});
