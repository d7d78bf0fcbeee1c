#!/usr/bin/env node
/**
 * Builds everything the app runs from:
 *   renderer/            -> dist/renderer/        (vite)
 *   electron/shell/main  -> dist/electron/main.cjs    (esbuild, CJS, electron + npm packages external)
 *   electron/shell/preload -> dist/electron/preload.cjs (esbuild, CJS, everything bundled but electron: sandboxed preloads cannot require)
 *   electron/host/cli    -> dist/host/cli.js      (esbuild, ESM for Node 22, npm packages external, chunks in dist/host/chunks)
 *   electron/cli/main    -> dist/cli/skyferry.js  (esbuild, ESM for Node 22, npm packages external, with a shebang: `skyferry`; chunks in dist/cli/chunks)
 *
 * Each target is skipped when none of its inputs changed since its last build (stamps in dist/.build-stamps.json),
 * so `npm run serve` after a build starts at once. `--force` rebuilds all; `--only=renderer,main,preload,host,cli`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStampBook } from './build-stamps.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const STAMPS = path.join(DIST, '.build-stamps.json');
const args = process.argv.slice(2);
const force = args.includes('--force');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;

const book = createStampBook({ root: ROOT, stampsFile: STAMPS, lockInputs: ['package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/build-stamps.mjs'], force });

async function buildRenderer() {
  const name = 'renderer';
  if (!existsSync(path.join(ROOT, 'renderer', 'index.html'))) {
    console.warn('build: renderer/index.html does not exist yet; skipping the renderer bundle');
    return 'missing';
  }
  // Listed before the build: a file that appears during it is not in the stamp, so the next run builds again.
  const inputs = [...book.walk(path.join(ROOT, 'renderer')), ...book.walk(path.join(ROOT, 'shared')), 'vite.config.ts'];
  if (book.upToDate(name, ['dist/renderer/index.html'], inputs)) return 'cached';
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  book.remember(name, inputs);
  return 'built';
}

/**
 * `split`: an ESM entry whose dynamic imports stay separate chunks (in `chunks/` beside it, emptied first), so that
 * its first lines run before the packages the rest imports are evaluated (engine/young-generation-first.ts).
 */
async function buildBundle(esbuild, name, entry, outfile, options, split = false) {
  if (book.upToDate(name, [outfile])) return 'cached';
  const out = path.join(ROOT, outfile);
  if (split) rmSync(path.join(path.dirname(out), 'chunks'), { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    ...(split
      ? { outdir: path.dirname(out), entryNames: path.basename(out, '.js'), chunkNames: 'chunks/[name]-[hash]', splitting: true }
      : { outfile: out }),
    bundle: true,
    platform: 'node',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    ...options,
  });
  book.remember(name, Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')));
  return 'built';
}

async function main() {
  const started = performance.now();
  mkdirSync(DIST, { recursive: true });
  const esbuild = await import('esbuild');
  const wanted = (n) => !only || only.has(n);
  const results = {};
  const jobs = [];
  // The esbuild bundles run together; vite after them (it is the slow one and uses both cores itself).
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
      buildBundle(
        esbuild,
        'host',
        'electron/host/cli.ts',
        'dist/host/cli.js',
        {
          format: 'esm',
          target: 'node22',
          packages: 'external',
        },
        true,
      ).then((r) => (results.host = r)),
    );
  }
  if (wanted('cli')) {
    jobs.push(
      buildBundle(esbuild, 'cli', 'electron/cli/main.ts', 'dist/cli/skyferry.js', {
        format: 'esm',
        target: 'node22',
        packages: 'external',
        banner: { js: '#!/usr/bin/env node' },
        // `skyferry --version` says the version of the package it was built from.
        define: { 'process.env.SKYFERRY_VERSION': JSON.stringify(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version) },
      }, true).then((r) => {
        // The `bin` of package.json: runnable as `npx skyferry` from a checkout, and as `./dist/cli/skyferry.js`.
        chmodSync(path.join(ROOT, 'dist/cli/skyferry.js'), 0o755);
        results.cli = r;
      }),
    );
  }
  await Promise.all(jobs);
  if (wanted('renderer')) results.renderer = await buildRenderer();
  book.save();
  const summary = Object.entries(results)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`build: ${summary} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
