#!/usr/bin/env node
/**
 * Builds everything the app runs from:
 *   renderer/            -> dist/renderer/        (vite)
 *   electron/shell/main  -> dist/electron/main.cjs    (esbuild, CJS, electron + npm packages external)
 *   electron/shell/preload -> dist/electron/preload.cjs (esbuild, CJS, everything bundled but electron: sandboxed preloads cannot require)
 *   electron/host/cli    -> dist/host/cli.js      (esbuild, ESM for Node 20, npm packages external)
 *
 * Each target is skipped when none of its inputs changed since its last build (stamps in dist/.build-stamps.json),
 * so `npm run serve` after a build starts at once. `--force` rebuilds all; `--only=renderer,main,preload,host`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const STAMPS = path.join(DIST, '.build-stamps.json');
const args = process.argv.slice(2);
const force = args.includes('--force');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;

const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');

function fingerprint(files) {
  const h = createHash('sha1');
  for (const f of [...files].sort()) {
    const abs = path.join(ROOT, f);
    if (!existsSync(abs)) {
      h.update(`${f}:missing\n`);
      continue;
    }
    const s = statSync(abs);
    h.update(`${f}:${s.size}:${s.mtimeMs}\n`);
  }
  return h.digest('hex');
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(p, out);
    } else if (!/\.test\.tsx?$/.test(e.name)) out.push(rel(p));
  }
  return out;
}

function loadStamps() {
  try {
    return JSON.parse(readFileSync(STAMPS, 'utf8'));
  } catch {
    return {};
  }
}

const stamps = loadStamps();
const lockInputs = ['package.json', 'package-lock.json', 'scripts/build.mjs'];

function upToDate(name, outputs) {
  if (force) return false;
  const s = stamps[name];
  if (!s || !outputs.every((o) => existsSync(path.join(ROOT, o)))) return false;
  return fingerprint(s.inputs) === s.hash;
}

function remember(name, inputs) {
  const all = [...new Set([...inputs, ...lockInputs])];
  stamps[name] = { inputs: all, hash: fingerprint(all) };
}

async function buildRenderer() {
  const name = 'renderer';
  if (!existsSync(path.join(ROOT, 'renderer', 'index.html'))) {
    console.warn('build: renderer/index.html does not exist yet; skipping the renderer bundle');
    return 'missing';
  }
  if (upToDate(name, ['dist/renderer/index.html'])) return 'cached';
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  remember(name, [...walk(path.join(ROOT, 'renderer')), ...walk(path.join(ROOT, 'shared')), 'vite.config.ts']);
  return 'built';
}

async function buildBundle(esbuild, name, entry, outfile, options) {
  if (upToDate(name, [outfile])) return 'cached';
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    outfile: path.join(ROOT, outfile),
    bundle: true,
    platform: 'node',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    ...options,
  });
  remember(name, Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')));
  return 'built';
}

async function main() {
  const started = performance.now();
  mkdirSync(DIST, { recursive: true });
  const esbuild = await import('esbuild');
  const wanted = (n) => !only || only.has(n);
  const results = {};
  const jobs = [];
  // The three esbuild bundles run together; vite after them (it is the slow one and uses both cores itself).
  if (wanted('main')) {
    jobs.push(
      buildBundle(esbuild, 'main', 'electron/shell/main.ts', 'dist/electron/main.cjs', {
        format: 'cjs',
        target: 'node22',
        external: ['electron'],
        packages: 'external',
      }).then((r) => (results.main = r)),
    );
  }
  if (wanted('preload')) {
    jobs.push(
      buildBundle(esbuild, 'preload', 'electron/shell/preload.ts', 'dist/electron/preload.cjs', {
        format: 'cjs',
        target: 'chrome130',
        external: ['electron'],
        // It carries the contract's schemas (zod) only to check channel names: keep what the window loads small.
        minify: true,
      }).then((r) => (results.preload = r)),
    );
  }
  if (wanted('host')) {
    jobs.push(
      buildBundle(esbuild, 'host', 'electron/host/cli.ts', 'dist/host/cli.js', {
        format: 'esm',
        target: 'node20',
        packages: 'external',
      }).then((r) => (results.host = r)),
    );
  }
  await Promise.all(jobs);
  if (wanted('renderer')) results.renderer = await buildRenderer();
  writeFileSync(STAMPS, JSON.stringify(stamps, null, 1));
  const summary = Object.entries(results)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`build: ${summary} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
