import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs } from './cli-args';

/**
 * bin/skyferry, the launcher installed with the app, run against a stand-in for the app's binary that reports the
 * arguments and environment it got: what reaches the app's main process (cliArgs) must be what the user typed.
 */
const LAUNCHER = path.resolve(import.meta.dirname, '..', '..', 'bin', 'skyferry');
const posix = process.platform !== 'win32';
let dir: string;
let fakeApp: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-launcher-'));
  fakeApp = path.join(dir, 'skyferry');
  // Prints each argument on its own line (NUL-separated, so any text survives), then the env var, then exits 7.
  await writeFile(fakeApp, '#!/bin/sh\nprintf "%s\\0" "$@"\nprintf "RUN_AS_NODE=%s\\0" "${ELECTRON_RUN_AS_NODE-unset}"\nexit 7\n');
  await chmod(fakeApp, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function launch(file: string, args: string[], env: NodeJS.ProcessEnv): { argv: string[]; runAsNode: string; code: number | null; stderr: string } {
  const run = spawnSync(file, args, { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  const parts = run.stdout.split('\0').slice(0, -1);
  const last = parts.pop() ?? '';
  return { argv: parts, runAsNode: last.replace(/^RUN_AS_NODE=/, ''), code: run.status, stderr: run.stderr };
}

const typed = ['--json', 'cp', 'my photos/', 's3://work/a b/', "it's", '"quoted"', '*', '', '$HOME', '--overwrite=newer', '-- x'];

describe.skipIf(!posix)('bin/skyferry', () => {
  it('passes every argument through unchanged after --skyferry-cli, without ELECTRON_RUN_AS_NODE, and returns the exit code', () => {
    const run = launch(LAUNCHER, typed, { SKYFERRY_APP: fakeApp, ELECTRON_RUN_AS_NODE: '1', DISPLAY: ':0' });
    expect(run.code).toBe(7);
    expect(run.argv).toEqual(['--skyferry-cli', ...typed]);
    expect(cliArgs(run.argv)).toEqual(typed);
    expect(run.runAsNode).toBe('unset');
  });

  it('finds the app binary from the installed layout, through a link on the PATH', async () => {
    const install = path.join(dir, 'opt');
    await mkdir(path.join(install, 'resources', 'bin'), { recursive: true });
    await copyFile(fakeApp, path.join(install, 'skyferry'));
    await chmod(path.join(install, 'skyferry'), 0o755);
    await copyFile(LAUNCHER, path.join(install, 'resources', 'bin', 'skyferry'));
    await chmod(path.join(install, 'resources', 'bin', 'skyferry'), 0o755);
    const link = path.join(dir, 'usr-bin-skyferry');
    await symlink(path.join(install, 'resources', 'bin', 'skyferry'), link);
    const run = launch(link, ['ls', 's3://work'], { DISPLAY: ':0' });
    expect(run.code).toBe(7);
    expect(run.argv).toEqual(['--skyferry-cli', 'ls', 's3://work']);
  });

  it('asks Chromium for no display on Linux when there is none (ssh, cron); the command still gets only its own arguments', () => {
    const run = launch(LAUNCHER, ['jobs'], { SKYFERRY_APP: fakeApp });
    if (process.platform === 'linux') expect(run.argv).toEqual(['--ozone-platform=headless', '--skyferry-cli', 'jobs']);
    else expect(run.argv).toEqual(['--skyferry-cli', 'jobs']);
    expect(cliArgs(run.argv)).toEqual(['jobs']);
  });

  it('says where it looked when the app is not there, and fails', () => {
    const run = launch(LAUNCHER, ['ls'], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the Skyferry app was not found.*set SKYFERRY_APP/);
  });
});

describe('cliArgs', () => {
  it('is null for the desktop app, and only what follows the flag for a command', () => {
    expect(cliArgs(['/opt/Skyferry/skyferry', '--no-sandbox'])).toBeNull();
    expect(cliArgs(['electron', 'dist/electron/main.cjs', '--skyferry-cli', 'ls', '--json'])).toEqual(['ls', '--json']);
  });
});
