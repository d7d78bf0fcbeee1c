/**
 * Tight-loop CPU of per-file pieces that are too small to see in a request benchmark on a shared machine:
 * building an Azure ContainerClient / BlockBlobClient (no network), and a 4 KiB chain of three streams joined by
 * stream.pipeline() against the same chain joined by .pipe() (pipeline() makes an AbortError and an
 * ERR_STREAM_DESTROYED, stack traces included, when it finishes).
 *
 *   npx tsx bench/micro-cpu.ts
 */
import { PassThrough, Readable, pipeline } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../tools/emulators/emulators';

const N = 20_000;

function usPer(n: number, c: NodeJS.CpuUsage): string {
  return ((c.user + c.system) / n).toFixed(1);
}

async function drain(s: Readable): Promise<void> {
  for await (const chunk of s) void chunk;
}

async function main(): Promise<void> {
  const service = new BlobServiceClient(`http://127.0.0.1:10000/${AZURITE_ACCOUNT}`, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), {
    retryOptions: { maxTries: 3, retryDelayInMs: 300, maxRetryDelayInMs: 3000 },
    userAgentOptions: { userAgentPrefix: 'skyferry' },
  });
  const container = service.getContainerClient('bench');
  for (let r = 0; r < 4; r++) {
    let t = process.cpuUsage();
    for (let i = 0; i < N; i++) service.getContainerClient('bench');
    const a = process.cpuUsage(t);
    t = process.cpuUsage();
    for (let i = 0; i < N; i++) container.getBlockBlobClient(`f/${i}.bin`);
    const b = process.cpuUsage(t);
    console.log(`round ${r}: getContainerClient ${usPer(N, a)} us, getBlockBlobClient ${usPer(N, b)} us`);
  }

  const buf = Buffer.alloc(4096, 1);
  const viaPipeline = async (): Promise<void> => drain(pipeline(Readable.from([buf]), new PassThrough(), new PassThrough(), () => undefined));
  const viaPipe = async (): Promise<void> => drain(Readable.from([buf]).pipe(new PassThrough()).pipe(new PassThrough()));
  for (let r = 0; r < 4; r++) {
    const out: string[] = [];
    for (const [name, fn] of [['pipeline()', viaPipeline], ['.pipe()', viaPipe]] as const) {
      const t = process.cpuUsage();
      for (let i = 0; i < N; i++) await fn();
      out.push(`${name} ${usPer(N, process.cpuUsage(t))} us`);
    }
    console.log(`round ${r}: 4 KiB through 3 streams: ${out.join(', ')}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
