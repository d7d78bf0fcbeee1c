import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyCipher } from '../engine/accounts/secret-store';
import { lockDataDir } from '../host/data-dir';
import { openLockedEngine } from '../cli/session';

/**
 * The app's own binary in command-line mode (what bin/skyferry runs): the built main process with --skyferry-cli,
 * on a profile where the app saved an account. Runs only where the Electron binary is installed; it is looked up
 * the way the `electron` package does, without its download-on-require.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'electron', 'main.cjs');

function electronBinary(): string | null {
  const pkg = path.join(ROOT, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8');
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative) : path.join(pkg, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

const ELECTRON = electronBinary();
let dataDir: string;

function skyferry(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, SKYFERRY_DATA_DIR: dataDir, VITEST: '' };
  delete env.ELECTRON_RUN_AS_NODE;
  // `--password-store=basic`: no OS keyring on a test machine, so the app seals with the profile's key file, as this test does.
  const switches = ['--password-store=basic', ...(process.platform === 'linux' ? ['--ozone-platform=headless'] : [])];
  const run = spawnSync(ELECTRON ?? 'electron', [...switches, MAIN, '--skyferry-cli', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const TITLE = 'the app binary with --skyferry-cli';
describe.skipIf(!ELECTRON)(ELECTRON ? TITLE : `${TITLE}: skipped, no Electron binary in node_modules/electron/dist`, () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=main'], { cwd: ROOT, stdio: 'inherit' });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-electron-cli-'));
    const app = await openLockedEngine(
      { dataDir: () => Promise.resolve(dataDir), cipher: (dir) => createFileKeyCipher(path.join(dir, 'secrets.key')) },
      'the Skyferry app',
      { background: true },
    );
    const saved = await app.engine.invoke('accounts:save', {
      account: { kind: 's3', name: 'work', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true, secrets: { accessKeyId: 'AKID', secretAccessKey: 'secret' } },
    });
    expect(saved.ok).toBe(true);
    await app.engine.close();
    app.release();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("lists the app's account with its secrets, prints JSON, opens no window and exits 0", () => {
    const run = skyferry(['--json', 'accounts']);
    expect(run.code, run.stderr).toBe(0);
    const accounts = JSON.parse(run.stdout) as { settings: { name: string }; hasSecrets: boolean }[];
    expect(accounts).toContainEqual(expect.objectContaining({ settings: expect.objectContaining({ name: 'work' }), hasSecrets: true }));
  });

  it("exits with the command's code: 1 for an unknown account", () => {
    const run = skyferry(['ls', 's3://nobody']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/skyferry ls:/);
  });

  it('is refused while another process holds the profile', () => {
    const release = lockDataDir(dataDir, 'the Skyferry app');
    try {
      const run = skyferry(['accounts']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/in use by another Skyferry process \(the Skyferry app/);
    } finally {
      release();
    }
  });
});
