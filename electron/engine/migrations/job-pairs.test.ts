import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobManager } from '../jobs/job-manager';
import { resolverFor } from '../test-support/resolver';
import { localFixture, type LocalFixture } from '../test-support/local-fixture';

/** The job manager's additive entry for migrations: a job from explicit (source, destination) pairs. */
let fx: LocalFixture;
let journals: string;

beforeAll(async () => {
  fx = await localFixture();
  journals = await mkdtemp(path.join(os.tmpdir(), 'skyferry-pairs-'));
  await fx.write('src', 'a.txt', 'alpha');
  await fx.write('src', 'dir/b.txt', 'bravo!');
  await fx.provider.createBucket('one');
  await fx.provider.createBucket('two');
});

afterAll(async () => {
  await fx.cleanup();
  await rm(journals, { recursive: true, force: true });
});

describe('JobManager.startPlanned', () => {
  it('copies exactly the given pairs, to names of the caller’s choosing and to several destinations, verified', async () => {
    const m = new JobManager({ resolve: resolverFor({ disk: fx.provider }), journalDir: journals });
    const files = [
      { source: 'file://disk/src/a.txt', destination: 'file://disk/one/renamed-a.txt', size: 5 },
      { source: 'file://disk/src/dir/b.txt', destination: 'file://disk/one/dir/b.txt', size: 6 },
      { source: 'file://disk/src/a.txt', destination: 'file://disk/two/a.txt', size: 5 },
    ];
    const { id } = m.startPlanned({ kind: 'copy', title: 'Migrate src', sources: ['file://disk/src/'], destination: 'file://disk/one/', files });
    const done = await m.whenFinished(id);
    expect(done.state).toBe('completed');
    expect(done.filesTotal).toBe(3);
    expect(done.bytesDone).toBe(16);
    const detail = m.get(id).detail();
    expect(detail.files.map((f) => f.checksum)).toEqual(['md5', 'md5', 'md5']);
    expect(await readFile(path.join(fx.root, 'one', 'renamed-a.txt'), 'utf8')).toBe('alpha');
    expect(await readFile(path.join(fx.root, 'one', 'dir', 'b.txt'), 'utf8')).toBe('bravo!');
    expect(await readFile(path.join(fx.root, 'two', 'a.txt'), 'utf8')).toBe('alpha');
    // Already finished: resolves at once.
    expect((await m.whenFinished(id)).state).toBe('completed');
    await m.close();

    // The list was journaled as if listed: a new manager restores the finished job with its pairs.
    const again = new JobManager({ resolve: resolverFor({ disk: fx.provider }), journalDir: journals });
    again.restore();
    const restored = again.get(id).detail();
    expect(restored.state).toBe('completed');
    expect(restored.files.map((f) => f.destination)).toEqual(files.map((f) => f.destination));
    await again.close();
  });

  it('deletes exactly the given objects', async () => {
    await fx.write('two', 'gone.txt', 'x');
    const m = new JobManager({ resolve: resolverFor({ disk: fx.provider }) });
    const { id } = m.startPlanned({ kind: 'delete', title: 'Delete extras', sources: ['file://disk/two/'], files: [{ source: 'file://disk/two/gone.txt', size: 1 }] });
    expect((await m.whenFinished(id)).state).toBe('completed');
    await expect(fx.provider.stat('two', 'gone.txt')).rejects.toThrow();
    expect((await fx.provider.stat('two', 'a.txt')).size).toBe(5);
    await m.close();
  });
});
