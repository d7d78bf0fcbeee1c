import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Once per `playwright test` run: build (cached when nothing changed) and make the run folder in which each worker
 * slot keeps its emulators' data, so that a worker restarted after a failure does not seed 100,000 keys again.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build.mjs failed');
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-'));
  process.env.SKYFERRY_E2E_RUN_DIR = runDir;
  return async () => {
    await rm(runDir, { recursive: true, force: true });
  };
}
