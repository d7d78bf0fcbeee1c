/**
 * Skyferry's Playwright fixtures. Import `test` and `expect` from here instead of '@playwright/test'.
 *
 *   import { test, expect } from './fixtures';
 *   test('copies across clouds', async ({ page, app, emulators, shot }) => {
 *     await app.saveAccounts(emulators.accounts);          // minio, gcs, azurite, through the engine
 *     await page.goto(app.url);                            // the URL carries the per-run token
 *     ...
 *     const head = await emulators.clients.s3.send(new HeadObjectCommand({ Bucket: 'demo-photos', Key: 'hello.txt' }));
 *     await shot('after-copy');                           // e2e-artifacts/<spec>-<test>-after-copy.png
 *   });
 *
 * Fixtures:
 * - `emulators` (worker): MinIO, fake-gcs-server and Azurite on free loopback ports, seeded with the demo's sample
 *   data (tools/demo/seed.ts: buckets `demo-photos` (S3), `demo-archive` (GCS), `demo-backups` (Azure), ~300
 *   objects each over nested prefixes plus a few 20-48 MiB files). `handles` give endpoints and keys, `clients`
 *   SDK clients to check objects with, `accounts` the three accounts as the account dialog sends them (named
 *   `minio`, `gcs`, `azurite`), `buckets` the bucket names. The data lives for the whole run (one worker).
 * - `manyKeys` (worker): seeds bucket `many-keys` (100,000 keys `file-000000.txt`…, flat) on the MinIO of
 *   `emulators` the first time a spec asks for it in a run (a few minutes on a busy 2-core machine).
 * - `app` (test): a fresh `node dist/host/cli.js` with its own temp data dir. `url` (with token), `origin`,
 *   `token`, `dataDir`, `invoke(channel, request)` (the contract over the WebSocket, as the page does; throws
 *   the engine's error), `invokeRaw` (the envelope), `saveAccounts(accounts)`, `output()` (its stdout+stderr).
 * - `shot(name)` (test): a full-page screenshot of `page` saved under e2e-artifacts/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Storage } from '@google-cloud/storage';
import { test as base, expect } from '@playwright/test';
import WebSocket from 'ws';
import type { AccountInput } from '../shared/accounts';
import type { ChannelName, ChannelRequest, ChannelResponse, Result } from '../shared/contract';
import { ServerMessageSchema } from '../shared/contract/wire';
import {
  azureClient,
  DEMO_ACCOUNTS,
  DEMO_BUCKETS,
  demoAccounts,
  gcsClient,
  MANY_KEYS_COUNT,
  s3Client,
  seedManyKeys,
  seedSample,
} from '../tools/demo/seed';
import { startAzurite, startFakeGcs, startMinio, type AzuriteHandle, type FakeGcsHandle, type MinioHandle } from '../tools/emulators/emulators';

export { expect };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(ROOT, 'e2e-artifacts');

export interface EmulatorSet {
  handles: { minio: MinioHandle; gcs: FakeGcsHandle; azurite: AzuriteHandle };
  clients: { s3: S3Client; gcs: Storage; azure: BlobServiceClient };
  /** The three accounts (`minio`, `gcs`, `azurite`) as `accounts:save` takes them. */
  accounts: AccountInput[];
  accountNames: typeof DEMO_ACCOUNTS;
  buckets: typeof DEMO_BUCKETS;
}

export interface ManyKeys {
  account: string;
  bucket: string;
  count: number;
  /** The uri of the bucket root, e.g. s3://minio/many-keys/ */
  uri: string;
}

export interface AppHandle {
  /** http://127.0.0.1:PORT/?token=… */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  invoke<C extends ChannelName>(channel: C, request: ChannelRequest<C>): Promise<ChannelResponse<C>>;
  invokeRaw(channel: string, request: unknown): Promise<Result<unknown>>;
  saveAccounts(accounts: AccountInput[]): Promise<void>;
  output(): string;
}

interface WorkerFixtures {
  emulators: EmulatorSet;
  manyKeys: ManyKeys;
}
interface TestFixtures {
  app: AppHandle;
  shot: (name: string) => Promise<string>;
}

/** Per worker slot, kept for the whole run (see global-setup.ts): a restarted worker reuses seeded data. */
function slotDir(parallelIndex: number): string {
  const run = process.env.SKYFERRY_E2E_RUN_DIR ?? path.join(os.tmpdir(), `skyferry-e2e-${process.ppid}`);
  return path.join(run, `slot-${parallelIndex}`);
}

async function once(marker: string, work: () => Promise<unknown>): Promise<void> {
  if (existsSync(marker)) return;
  await work();
  await writeFile(marker, new Date().toISOString());
}

/** Starts the served host as a child process and waits for the URL it prints. */
async function startHost(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'host', 'cli.js')], {
    cwd: ROOT,
    env: { ...process.env, SKYFERRY_DATA_DIR: dataDir, SKYFERRY_PORT: '', SKYFERRY_LOG_LEVEL: process.env.SKYFERRY_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host printed no URL within 60 s:\n${out}`)), 60_000);
    const check = (): void => {
      const m = /Skyferry is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}) before printing its URL:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The contract over the host's WebSocket, exactly as the page speaks it (token + the page's Origin). */
function socketClient(origin: string, token: string): { invoke(channel: string, request: unknown): Promise<Result<unknown>>; close(): void } {
  let socket: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const connect = (): Promise<WebSocket> => {
    socket ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace('http:', 'ws:')}/ws?token=${token}`, { origin });
      ws.on('open', () => resolve(ws));
      ws.on('error', reject);
      ws.on('message', (data: Buffer) => {
        const msg = ServerMessageSchema.safeParse(JSON.parse(data.toString()));
        if (msg.success && msg.data.type === 'result') {
          pending.get(msg.data.id)?.(msg.data.result as Result<unknown>);
          pending.delete(msg.data.id);
        }
      });
    });
    return socket;
  };
  return {
    async invoke(channel, request) {
      const ws = await connect();
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'invoke', id, channel, request }));
      });
    },
    close() {
      void socket?.then((ws) => ws.close()).catch(() => undefined);
    },
  };
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  emulators: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures name their dependencies by destructuring
    async ({}, use, workerInfo) => {
      const dir = slotDir(workerInfo.parallelIndex);
      const dirs = { minio: path.join(dir, 'minio'), gcs: path.join(dir, 'fake-gcs'), azurite: path.join(dir, 'azurite') };
      await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
      const [minio, gcs, azurite] = await Promise.all([
        startMinio({ dataDir: dirs.minio }),
        startFakeGcs({ dataDir: dirs.gcs }),
        startAzurite({ dataDir: dirs.azurite }),
      ]);
      const handles = { minio, gcs, azurite };
      try {
        await once(path.join(dir, 'sample.seeded'), () => seedSample(handles, { log: (l) => console.log(`[e2e] ${l}`) }));
        const clients = { s3: s3Client(minio), gcs: gcsClient(gcs), azure: azureClient(azurite) };
        await use({ handles, clients, accounts: demoAccounts(handles), accountNames: DEMO_ACCOUNTS, buckets: DEMO_BUCKETS });
        clients.s3.destroy();
      } finally {
        await Promise.all([minio.stop(), gcs.stop(), azurite.stop()]);
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],

  manyKeys: [
    async ({ emulators }, use, workerInfo) => {
      const marker = path.join(slotDir(workerInfo.parallelIndex), 'many-keys.seeded');
      await once(marker, () => seedManyKeys(emulators.handles.minio, { log: (l) => console.log(`[e2e] ${l}`) }));
      const account = DEMO_ACCOUNTS.s3;
      await use({ account, bucket: DEMO_BUCKETS.manyKeys, count: MANY_KEYS_COUNT, uri: `s3://${account}/${DEMO_BUCKETS.manyKeys}/` });
    },
    { scope: 'worker', timeout: 900_000 },
  ],

  // eslint-disable-next-line no-empty-pattern -- as above: the app needs no other fixture
  app: async ({}, use) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-app-'));
    const host = await startHost(dataDir);
    const url = new URL(host.url);
    const token = url.searchParams.get('token') ?? '';
    const client = socketClient(url.origin, token);
    const invokeRaw = (channel: string, request: unknown): Promise<Result<unknown>> => client.invoke(channel, request);
    const handle: AppHandle = {
      url: host.url,
      origin: url.origin,
      token,
      dataDir,
      invokeRaw,
      async invoke<C extends ChannelName>(channel: C, request: ChannelRequest<C>): Promise<ChannelResponse<C>> {
        const result = await invokeRaw(channel, request);
        if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
        return result.value as ChannelResponse<C>;
      },
      async saveAccounts(accounts) {
        for (const account of accounts) await handle.invoke('accounts:save', { account });
      },
      output: host.output,
    };
    try {
      await use(handle);
    } finally {
      client.close();
      await stopChild(host.child);
      await rm(dataDir, { recursive: true, force: true });
    }
  },

  shot: async ({ page }, use, testInfo) => {
    await mkdir(ARTIFACTS, { recursive: true });
    const stem = `${path.basename(testInfo.file, '.spec.ts')}-${testInfo.title}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120);
    await use(async (name) => {
      const file = path.join(ARTIFACTS, `${stem}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    });
  },
});
