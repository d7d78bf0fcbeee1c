/**
 * How fast can Azurite take in the bench's data set at all? Uploads the same shape of data as `npm run bench`
 * (8 x 128 MiB + 2,000 x 4 KiB) from memory straight into Azurite with the bare Azure SDK: no source to read, no
 * checksum computed, nothing verified, as many requests in flight as the bench's tools use. The wall time is a
 * floor for any tool copying this data set into Azurite on this machine; Azurite's CPU seconds are printed beside it.
 *
 *   npx tsx bench/azurite-floor.ts [--rounds 3] [--block-mib 8] [--block-concurrency 5] [--small-in-flight 32]
 */
import { randomBytes } from 'node:crypto';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startAzurite } from '../tools/emulators/emulators';
import { cpuSecondsOf } from './measure';
import { arg } from './cli-arg';

const MiB = 1024 * 1024;
const ROUNDS = Number(arg('rounds', '3'));
const BLOCK = Number(arg('block-mib', '8')) * MiB;
const BLOCK_CONCURRENCY = Number(arg('block-concurrency', '5'));
const SMALL_IN_FLIGHT = Number(arg('small-in-flight', '32'));
const BIG_FILES = 8;
const BIG_IN_FLIGHT = Number(arg('big-in-flight', '4'));
const SMALL_FILES = 2000;

async function pool(n: number, count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { for (let i = next++; i < count; i = next++) await work(i); }));
}

async function main(): Promise<void> {
  const az = await startAzurite();
  const needle = `--blobPort ${new URL(az.endpoint).port}`;
  try {
    const svc = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
    const big = randomBytes(128 * MiB);
    const small = randomBytes(4096);
    console.log(`Azurite floor: ${BIG_FILES} x 128 MiB (blocks of ${BLOCK / MiB} MiB, ${BLOCK_CONCURRENCY} per file, ${BIG_IN_FLIGHT} files at once) + ${SMALL_FILES} x 4 KiB (${SMALL_IN_FLIGHT} at once), from memory, bare SDK`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const what of ['big', 'small', 'both'] as const) {
        const c = svc.getContainerClient(`floor-${r}-${what}`);
        await c.create();
        const cpu0 = cpuSecondsOf(needle);
        const self0 = process.cpuUsage();
        const t0 = performance.now();
        const jobs: Promise<void>[] = [];
        if (what !== 'small') jobs.push(pool(BIG_IN_FLIGHT, BIG_FILES, async (i) => { await c.getBlockBlobClient(`big/${i}.bin`).uploadData(big, { blockSize: BLOCK, concurrency: BLOCK_CONCURRENCY, maxSingleShotSize: BLOCK }); }));
        if (what !== 'big') jobs.push(pool(SMALL_IN_FLIGHT, SMALL_FILES, async (i) => { await c.getBlockBlobClient(`small/${i}.bin`).upload(small, small.length); }));
        await Promise.all(jobs);
        const secs = (performance.now() - t0) / 1000;
        const self = process.cpuUsage(self0);
        console.log(`round ${r + 1} ${what.padEnd(5)}: ${secs.toFixed(2)} s; CPU seconds: Azurite ${(cpuSecondsOf(needle) - cpu0).toFixed(1)}, client ${((self.user + self.system) / 1e6).toFixed(1)}`);
        await c.delete();
      }
    }
  } finally {
    await az.stop();
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
