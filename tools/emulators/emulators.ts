import path from 'node:path';
import { ensureGoTool } from './build';
import { answers, freePort, listens, startProcess, tempDir, type RunningProcess } from './process';
import { selfSignedCert, type SelfSignedPair } from './tls';
import { REPO_ROOT } from './versions';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  kind: 'azure';
  /** Blob service URL including the account: http://127.0.0.1:PORT/devstoreaccount1 */
  endpoint: string;
  accountName: string;
  accountKey: string;
  connectionString: string;
  /** With `oauth`: the self-signed certificate Azurite serves HTTPS with (clients must trust `tls.cert`). */
  tls?: SelfSignedPair;
  stop(): Promise<void>;
}

export interface MinioHandle {
  kind: 's3';
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

export interface FakeGcsHandle {
  kind: 'gcs';
  endpoint: string;
  projectId: string;
  stop(): Promise<void>;
}

function withStop<T extends object>(value: T, proc: RunningProcess): T & { stop(): Promise<void> } {
  return Object.assign(value, { stop: () => proc.stop() });
}

/**
 * `oauth`: Azurite over HTTPS (a self-signed certificate made here) with `--oauth basic`, so that it takes bearer
 * tokens (a JWT with aud https://storage.azure.com and an Entra issuer; the signature is not checked) besides keys.
 */
export async function startAzurite(options: { dataDir?: string; oauth?: boolean } = {}): Promise<AzuriteHandle> {
  const port = await freePort();
  const dir = options.dataDir ?? (await tempDir('azurite'));
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'azurite-blob');
  const tls = options.oauth ? await selfSignedCert(await tempDir('azurite-tls')) : undefined;
  const scheme = tls ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const oauthArgs = tls ? ['--oauth', 'basic', '--cert', tls.certFile, '--key', tls.keyFile] : [];
  const proc = await startProcess(
    'azurite',
    bin,
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent', ...oauthArgs],
    {
      ready: () => (tls ? listens(port) : answers(`http://127.0.0.1:${port}/`)),
      cleanup: [...(options.dataDir ? [] : [dir]), ...(tls ? [path.dirname(tls.certFile)] : [])],
    },
  );
  return withStop(
    {
      kind: 'azure' as const,
      endpoint,
      accountName: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      connectionString: `DefaultEndpointsProtocol=${scheme};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
      ...(tls ? { tls } : {}),
    },
    proc,
  );
}

export async function startMinio(options: { dataDir?: string } = {}): Promise<MinioHandle> {
  const bin = await ensureGoTool('minio', (l) => console.error(`[emulators] ${l}`));
  const port = await freePort();
  const consolePort = await freePort();
  const dir = options.dataDir ?? (await tempDir('minio'));
  const accessKeyId = 'skyferry-test';
  const secretAccessKey = 'skyferry-test-secret';
  const proc = await startProcess(
    'minio',
    bin,
    ['server', dir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    {
      env: {
        MINIO_ROOT_USER: accessKeyId,
        MINIO_ROOT_PASSWORD: secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_CI_CD: '1',
      },
      ready: async () => {
        const res = await fetch(`http://127.0.0.1:${port}/minio/health/live`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        return res.ok;
      },
      cleanup: options.dataDir ? [] : [dir],
    },
  );
  return withStop({ kind: 's3' as const, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId, secretAccessKey }, proc);
}

/**
 * `publicHost` (host:port): the address clients reach it at when that is a proxy's.
 * `backend: 'memory'` keeps objects in the emulator's RAM: fake-gcs-server 1.56.1's filesystem backend cannot store
 * a name ending in `/` (a folder marker), which the memory backend can.
 */
export async function startFakeGcs(options: { dataDir?: string; backend?: 'filesystem' | 'memory'; publicHost?: string } = {}): Promise<FakeGcsHandle> {
  const bin = await ensureGoTool('fakeGcs', (l) => console.error(`[emulators] ${l}`));
  const port = await freePort();
  // The host it writes into resumable upload URLs: a proxy in front of it names its own here.
  const publicHost = options.publicHost ?? `127.0.0.1:${port}`;
  const dir = options.dataDir ?? (await tempDir('fakegcs'));
  const proc = await startProcess(
    'fake-gcs-server',
    bin,
    [
      '-scheme', 'http', '-host', '127.0.0.1', '-port', String(port),
      ...(options.backend === 'memory' ? ['-backend', 'memory'] : ['-backend', 'filesystem', '-filesystem-root', dir]),
      '-public-host', publicHost, '-external-url', `http://${publicHost}`,
      '-log-level', 'error',
    ],
    {
      ready: async () => {
        const res = await fetch(`http://127.0.0.1:${port}/storage/v1/b`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        return res.ok;
      },
      cleanup: options.dataDir ? [] : [dir],
    },
  );
  return withStop({ kind: 'gcs' as const, endpoint: `http://127.0.0.1:${port}`, projectId: 'skyferry-test' }, proc);
}

export interface ToxiproxyHandle {
  /** The REST API, e.g. http://127.0.0.1:PORT (POST /proxies, POST /proxies/{name}/toxics). */
  api: string;
  /** The server's process id, for its CPU seconds from /proc. */
  pid: number;
  stop(): Promise<void>;
}

/** Toxiproxy (Shopify's TCP proxy that adds latency and per-connection bandwidth limits), its API on a free loopback port. */
export async function startToxiproxy(): Promise<ToxiproxyHandle> {
  const bin = await ensureGoTool('toxiproxy', (l) => console.error(`[emulators] ${l}`));
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const proc = await startProcess('toxiproxy', bin, ['-host', '127.0.0.1', '-port', String(port)], { ready: () => answers(`${api}/version`) });
  return withStop({ api, pid: proc.child.pid ?? 0 }, proc);
}
