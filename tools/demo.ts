import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ACCOUNTS_FILE, SECRETS_FILE } from '../electron/engine/accounts/account-store';
import { createFileKeyCipher } from '../electron/engine/accounts/secret-store';
import { createEngine } from '../electron/engine/engine';
import { resolveDataDir } from '../electron/host/data-dir';
import { startServer } from '../electron/host/server';
import { startAzurite, startFakeGcs, startMinio } from './emulators/emulators';
import { REPO_ROOT } from './emulators/versions';
import { demoAccounts, seedManyKeys, seedSample, type Emulators } from './demo/seed';

/**
 * `npm run demo`: MinIO, fake-gcs-server and Azurite with sample data (seeded once, kept under .cache/demo/), the
 * three accounts saved in the demo's own data dir, and the app served to the browser. Ctrl-C stops everything.
 */
const DEMO_DIR = path.join(REPO_ROOT, '.cache', 'demo');
const MARKER = path.join(DEMO_DIR, 'seeded.json');
/** Bump when the sample data changes, so that an old .cache/demo is seeded again. */
const SEED_VERSION = 2;

const say = (line: string): void => console.log(`[demo] ${line}`);

async function alreadySeeded(): Promise<boolean> {
  try {
    const marker = JSON.parse(await readFile(MARKER, 'utf8')) as { version?: number };
    return marker.version === SEED_VERSION;
  } catch {
    return false;
  }
}

async function startEmulators(fresh: boolean): Promise<Emulators> {
  const dirs = { minio: path.join(DEMO_DIR, 'minio'), gcs: path.join(DEMO_DIR, 'fake-gcs'), azurite: path.join(DEMO_DIR, 'azurite') };
  // Seeding again (first run, or the sample data changed): start from empty stores, not on top of old objects.
  if (fresh) await Promise.all(Object.values(dirs).map((d) => rm(d, { recursive: true, force: true })));
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  const started = Date.now();
  const [minio, gcs, azurite] = await Promise.all([
    startMinio({ dataDir: dirs.minio }),
    startFakeGcs({ dataDir: dirs.gcs }),
    startAzurite({ dataDir: dirs.azurite }),
  ]);
  say(`emulators up in ${((Date.now() - started) / 1000).toFixed(1)} s: MinIO ${minio.endpoint}, fake-gcs-server ${gcs.endpoint}, Azurite ${azurite.endpoint}`);
  return { minio, gcs, azurite };
}

async function seed(e: Emulators): Promise<void> {
  say('seeding sample data (first run only; kept in .cache/demo/)');
  const started = Date.now();
  const [, manyKeysSeconds] = await Promise.all([seedSample(e, { log: say }), seedManyKeys(e.minio, { log: say })]);
  const total = (Date.now() - started) / 1000;
  await writeFile(MARKER, JSON.stringify({ version: SEED_VERSION, seededAt: new Date().toISOString(), seconds: total, manyKeysSeconds }, null, 1));
  say(`seeded in ${total.toFixed(1)} s`);
}

function openInBrowser(url: string): void {
  if (process.env.CI || !process.env.DISPLAY) return;
  try {
    const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No xdg-open: the printed URL is enough.
  }
}

async function main(): Promise<void> {
  const rendererDir = path.join(REPO_ROOT, 'dist', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error('dist/renderer is missing: run `node scripts/build.mjs` first (npm run demo does).');
  await mkdir(DEMO_DIR, { recursive: true });
  const seeded = await alreadySeeded();
  const emulators = await startEmulators(!seeded);
  const stops: Array<() => Promise<void>> = [() => emulators.minio.stop(), () => emulators.gcs.stop(), () => emulators.azurite.stop()];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say('stopping');
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    if (seeded) say('sample data already seeded (delete .cache/demo to start over)');
    else await seed(emulators);

    const dataDir = await resolveDataDir({ SKYFERRY_DATA_DIR: process.env.SKYFERRY_DATA_DIR ?? path.join(DEMO_DIR, 'app') });
    const engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(path.join(dataDir, 'secrets.key')) });
    stops.push(() => engine.close());
    // Emulator ports change per run: save the accounts each time, as the account dialog would.
    for (const account of demoAccounts(emulators)) {
      const result = await engine.invoke('accounts:save', { account });
      if (!result.ok) throw new Error(`could not save the ${account.name} account: ${result.error.message}`);
    }
    say(`accounts saved: ${demoAccounts(emulators).map((a) => a.name).join(', ')}`);
    // Where the keys are, never the keys themselves: the emulators' test credentials come from their start-up
    // (tools/emulators/), and the app keeps its copy sealed in its data dir like any account's.
    say(`account settings: ${path.join(dataDir, ACCOUNTS_FILE)}`);
    say(`account keys (encrypted): ${path.join(dataDir, SECRETS_FILE)}, sealed with the key file ${path.join(dataDir, 'secrets.key')}`);
    say('the emulators\' own test keys are set in tools/emulators/emulators.ts (demoAccounts in tools/demo/seed.ts passes them on)');
    const port = process.env.SKYFERRY_PORT ? Number(process.env.SKYFERRY_PORT) : 0;
    const server = await startServer({ engine, dataDir, rendererDir, port });
    stops.push(() => server.close());
    console.log(`Skyferry is running at ${server.url}`);
    say('press Ctrl-C to stop the app and the emulators');
    openInBrowser(server.url);
  } catch (e) {
    console.error(`[demo] ${e instanceof Error ? e.message : String(e)}`);
    await stopAll(1);
  }
}

void main();
