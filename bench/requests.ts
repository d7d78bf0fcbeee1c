/**
 * Requests per small file, by verb, for each tool: MinIO -> Azurite on loopback with a recording proxy
 * (test-support/recording-proxy.ts) in front of each emulator, so that Skyferry and rclone are counted the same way,
 * on the wire. A verb is what the request does to the storage: list, head, get, put (a put of a block or a block
 * list counts as a put), or other (bucket/container creation, multipart set-up, deletes).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { startRecordingProxy, type RecordingProxy } from '../electron/engine/test-support/recording-proxy';
import { startAzurite, startMinio } from '../tools/emulators/emulators';
import { seed, type DataSet } from './dataset';
import { runRclone, runSkyferry } from './runners';

type Verb = 'list' | 'head' | 'get' | 'put' | 'other';
const VERBS: Verb[] = ['list', 'head', 'get', 'put', 'other'];

/** The verb of one request to S3 (path style) or Azure Blob (the account first in the path). */
export function verbOf(kind: 's3' | 'azure', method: string, url: string): Verb {
  const u = new URL(url, 'http://x');
  const q = u.searchParams;
  const depth = u.pathname.split('/').filter(Boolean).length;
  const objectDepth = kind === 's3' ? 2 : 3;
  if (method === 'HEAD') return depth >= objectDepth ? 'head' : 'other';
  if (method === 'GET') {
    if (q.get('comp') === 'list' || q.has('list-type') || (depth < objectDepth && !q.has('location'))) return 'list';
    return depth >= objectDepth ? 'get' : 'other';
  }
  if (method === 'PUT' || method === 'POST') {
    if (depth < objectDepth) return 'other';
    if (q.has('uploads') || (method === 'POST' && q.has('uploadId'))) return 'other';
    return 'put';
  }
  return 'other';
}

function tally(p: RecordingProxy, kind: 's3' | 'azure'): Record<Verb, number> {
  const out: Record<Verb, number> = { list: 0, head: 0, get: 0, put: 0, other: 0 };
  for (const r of p.requests) out[verbOf(kind, r.method, r.path)]++;
  return out;
}

export async function runRequestCounts(o: { tmp: string; rclone: string; files: number; log: (l: string) => void }): Promise<string[]> {
  await mkdir(o.tmp, { recursive: true });
  const [minio, az] = await Promise.all([startMinio({ dataDir: path.join(o.tmp, 'minio') }), startAzurite({ dataDir: path.join(o.tmp, 'azurite') })]);
  const proxies: RecordingProxy[] = [];
  try {
    const s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    const set: DataSet = { bigCount: 0, bigSize: 0, smallCount: o.files, smallSize: 16 * 1024 };
    await seed(s3, 'count', set);
    s3.destroy();
    const blob = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
    const lines = [`Requests per small file, MinIO -> Azurite on loopback, ${o.files} x 16 KiB into an empty container, counted on the wire by a recording proxy in front of each emulator:`];
    const tools = [
      { name: 'Skyferry (relay)', rclone: undefined },
      { name: 'rclone defaults', rclone: [] as string[] },
      { name: 'rclone --transfers 16 --checkers 16', rclone: ['--transfers', '16', '--checkers', '16'] },
    ];
    for (const tool of tools) {
      const [sp, ap] = await Promise.all([startRecordingProxy(minio.endpoint), startRecordingProxy(`http://127.0.0.1:${new URL(az.endpoint).port}`)]);
      proxies.push(sp, ap);
      const azEndpoint = `${ap.endpoint}/${az.accountName}`;
      const container = `count-${proxies.length}`;
      await blob.getContainerClient(container).create();
      ap.requests.length = 0;
      let ok: boolean;
      if (tool.rclone === undefined) {
        const workDir = await mkdtemp(path.join(o.tmp, 'engine-'));
        const { result } = await runSkyferry({
          workDir,
          accounts: [
            { kind: 's3', name: 'minio', region: minio.region, endpoint: sp.endpoint, forcePathStyle: true, checksumMode: 'when_supported', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
            { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: azEndpoint, secrets: { accountKey: az.accountKey } },
          ],
          sources: ['s3://minio/count/data/small/'],
          destination: `az://azurite/${container}/`,
        });
        await rm(workDir, { recursive: true, force: true });
        ok = result.state === 'completed' && result.filesDone === o.files;
      } else {
        const m = await runRclone(o.rclone, {
          RCLONE_CONFIG: path.join(o.tmp, 'rclone.conf'),
          RCLONE_CONFIG_SRC_TYPE: 's3',
          RCLONE_CONFIG_SRC_PROVIDER: 'Minio',
          RCLONE_CONFIG_SRC_ENDPOINT: sp.endpoint,
          RCLONE_CONFIG_SRC_REGION: minio.region,
          RCLONE_CONFIG_SRC_ACCESS_KEY_ID: minio.accessKeyId,
          RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY: minio.secretAccessKey,
          RCLONE_CONFIG_DST_TYPE: 'azureblob',
          RCLONE_CONFIG_DST_ACCOUNT: az.accountName,
          RCLONE_CONFIG_DST_KEY: az.accountKey,
          RCLONE_CONFIG_DST_ENDPOINT: azEndpoint,
        }, ['copy', 'src:count/data/small', `dst:${container}/small`, ...tool.rclone]);
        ok = m.code === 0;
      }
      const s = tally(sp, 's3');
      const a = tally(ap, 'azure');
      const per = (n: number): string => (n / o.files).toFixed(2);
      // Per file, and the count itself where it is less than one per file (a listing page, a bucket check).
      const show = (n: number): string => (n < o.files ? `${per(n)} (${n})` : per(n));
      const src = VERBS.filter((v) => s[v] > 0).map((v) => `${v} ${show(s[v])}`).join(', ');
      const dst = VERBS.filter((v) => a[v] > 0).map((v) => `${v} ${show(a[v])}`).join(', ');
      const total = VERBS.reduce((n, v) => n + s[v] + a[v], 0);
      lines.push(`  ${tool.name.padEnd(40)} ${per(total)} per file${ok ? '' : ' (the copy did not complete)'}: source (MinIO) ${src || 'none'}; destination (Azurite) ${dst || 'none'}`);
      o.log(lines.at(-1)?.trim() ?? '');
      await blob.getContainerClient(container).delete().catch(() => undefined);
    }
    return lines;
  } finally {
    for (const p of proxies) await p.close().catch(() => undefined);
    await Promise.all([minio.stop(), az.stop()]);
  }
}
