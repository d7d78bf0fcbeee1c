import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { binaryPath, GO_TOOLS, type GoToolName } from './versions';

/** Builds a pinned Go test peer with `go install` unless the cache already has it. Returns the binary's path. */
export async function ensureGoTool(tool: GoToolName, log: (line: string) => void = () => undefined): Promise<string> {
  const bin = binaryPath(tool);
  if (existsSync(bin)) return bin;
  const t = GO_TOOLS[tool];
  const dir = path.dirname(bin);
  const tmp = `${dir}.building-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  log(`building ${t.module}@${t.version} (first run only; cached in ${dir})`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', `${t.module}@${t.version}`], {
      env: { ...process.env, GOBIN: tmp, CGO_ENABLED: '0', GOFLAGS: '-trimpath' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', (e) => reject(new Error(`go install ${t.module} failed to start: ${e.message} (is Go installed?)`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${t.module}@${t.version} exited with ${code}`))));
  });
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  log(`built ${t.binary} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return bin;
}
