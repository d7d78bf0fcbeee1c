import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationRequestSchema, type MigrationSummary } from '../../../shared/contract/migrations.channels';
import { parseLocation } from '../../../shared/location';
import { JobManager } from '../jobs/job-manager';
import { createLocalProvider } from '../providers/local/local.provider';
import { putFile } from '../test-support/local-fixture';
import { resolverFor } from '../test-support/resolver';
import { MigrationService } from './migration-service';

/**
 * A run asked for the moment a plan reads "planned" starts only once the plan's own last save is on disk: otherwise
 * that save could land after the run's, and a restart would find the migration "planned" while its copy had run.
 */
let base: string;
let jobs: JobManager;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-run-race-'));
});
afterEach(async () => {
  await jobs?.close();
  await rm(base, { recursive: true, force: true });
});

describe('running a plan as soon as it reads "planned"', () => {
  it('waits for the plan to be saved, so the state on disk is the run\'s', async () => {
    const disk = createLocalProvider({ kind: 'local', name: 'disk', root: path.join(base, 'disk') });
    jobs = new JobManager({ resolve: resolverFor({ disk }) });
    const service = new MigrationService({ dataDir: path.join(base, 'data'), jobs, emit: () => undefined, resolve: (uri) => ({ provider: disk, location: parseLocation(uri) }) });
    await putFile(path.join(base, 'disk', 'src'), 'a.txt', 'alpha');
    await putFile(path.join(base, 'disk', 'dst'), 'keep.txt', 'kept');
    // The plan's last save is slow (a busy disk): what it writes is the summary as it was when saved.
    const save = service.store.saveSummary.bind(service.store);
    service.store.saveSummary = async (s: MigrationSummary): Promise<void> => {
      const snapshot = structuredClone(s);
      if (snapshot.state === 'planned') await new Promise((r) => setTimeout(r, 1500));
      await save(snapshot);
    };
    const { id } = service.create(MigrationRequestSchema.parse({ source: 'file://disk/src/', destinations: ['file://disk/dst/'] }));
    await expect.poll(() => service.get(id).state, { interval: 1, timeout: 10_000 }).not.toBe('planning');
    expect(service.get(id)).toMatchObject({ state: 'planned' });
    await service.run(id);
    await expect.poll(() => service.get(id).state, { timeout: 20_000 }).toMatch(/^completed/);
    await new Promise((r) => setTimeout(r, 1700));
    const onDisk = JSON.parse(await readFile(path.join(base, 'data', 'plans', id, 'summary.json'), 'utf8')) as MigrationSummary;
    expect(onDisk.state).toMatch(/^completed/);
    expect(await readFile(path.join(base, 'disk', 'dst', 'a.txt'), 'utf8')).toBe('alpha');
  });
});
