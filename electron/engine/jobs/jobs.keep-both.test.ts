import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { resolverFor } from '../test-support/resolver';
import { JobManager } from './job-manager';

/** "Keep both" never replaces a file another program wrote at the chosen free name between the lookup and the write. */
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-keep-both-'));
  await mkdir(path.join(dir, 'cloud', 'bkt'), { recursive: true });
  await mkdir(path.join(dir, 'home', 'dl'), { recursive: true });
  await writeFile(path.join(dir, 'cloud', 'bkt', 'report.pdf'), 'from the bucket');
  await writeFile(path.join(dir, 'home', 'dl', 'report.pdf'), 'already here');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keep both', () => {
  it('takes the next free name when another writer takes the chosen one meanwhile', async () => {
    const inner = createLocalProvider({ kind: 'local', name: 'home', root: path.join(dir, 'home') });
    let raced = false;
    // Another program saves "report (1).pdf" just as Skyferry starts writing that name.
    const home: Provider = {
      ...inner,
      put: async (bucket, key, source, options) => {
        if (!raced && key === 'report (1).pdf') {
          raced = true;
          await writeFile(path.join(dir, 'home', 'dl', 'report (1).pdf'), 'the other program');
        }
        return inner.put(bucket, key, source, options);
      },
    };
    const m = new JobManager({ resolve: resolverFor({ cloud: createLocalProvider({ kind: 'local', name: 'cloud', root: path.join(dir, 'cloud') }), home }), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
    const { id } = m.start({ kind: 'copy', sources: ['file://cloud/bkt/report.pdf'], destination: 'file://home/dl/', options: { overwrite: 'keepBoth' } });
    await m.waitForIdle();
    await m.close();
    const [file] = m.get(id).detail().files;
    expect(raced).toBe(true);
    expect(file?.state).toBe('done');
    expect(file?.notice).toMatch(/written as report \(2\)\.pdf/);
    expect((await readdir(path.join(dir, 'home', 'dl'))).sort()).toEqual(['report (1).pdf', 'report (2).pdf', 'report.pdf']);
    expect(await readFile(path.join(dir, 'home', 'dl', 'report (1).pdf'), 'utf8')).toBe('the other program');
    expect(await readFile(path.join(dir, 'home', 'dl', 'report (2).pdf'), 'utf8')).toBe('from the bucket');
    expect(await readFile(path.join(dir, 'home', 'dl', 'report.pdf'), 'utf8')).toBe('already here');
  });
});
