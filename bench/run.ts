/**
 * `npm run bench [-- --quick] [-- --rounds N] [-- --json <file>] [-- --profile] [-- --skyferry-only]`: Skyferry's
 * engine against rclone on the same emulators and data in the same run. Prints figures and ratios against
 * the targets; it asserts no timing, but a run whose destination does not verify is marked as such and counts for
 * nothing. The three cross-cloud runs are repeated N times, interleaved (Skyferry, rclone, rclone tuned, Skyferry,
 * ...), because one run of each swings by a quarter on a shared 2-core machine: the targets are judged on the median
 * of the rounds' ratios (throughput) and on the highest peak RSS of any round (memory), and every round is printed.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureGoTool } from '../tools/emulators/build';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../tools/emulators/emulators';
import { GO_TOOLS, REPO_ROOT } from '../tools/emulators/versions';
import { FULL, QUICK, seed, totalBytes, verifyContainer, type DataSet } from './dataset';
import { childrenCpuSeconds, cpuSecondsOf, peakOf } from './measure';
import { MB, mbps, met, table, targets, type RunFigures, type Target } from './report';
import { buildEntries, engineAccounts, rcloneEnv, runRclone, runSkyferry } from './runners';
import { runUploadBench, type UploadFigures } from './upload';
import { runListing } from './listing';
import { CROSS_CLOUD, HOME_OFFICE } from './net';
import { runRequestCounts } from './requests';
import { PAIRS, runWan, WAN_FULL, WAN_QUICK, type PairName } from './wan';

interface Args {
  quick: boolean;
  json: string | undefined;
  profile: boolean;
  /** Interleaved repetitions of the three cross-cloud runs (default 3; 1 with --quick). */
  rounds: number;
  /** Only the engine's cross-cloud run(s): no rclone, no upload bench (for trying engine changes). */
  skyferryOnly: boolean;
  /** Which parts run (all by default). */
  only: Part[];
  /** Interleaved rounds of each WAN pair (default 1: a full run stays near half an hour). */
  wanRounds: number;
  /** The WAN destinations and data sets that run (all by default). */
  pairs: PairName[];
  sets: Array<'big' | 'small'>;
}

const PARTS = ['loopback', 'cross-cloud', 'home-office', 'requests', 'listing'] as const;
type Part = (typeof PARTS)[number];

function parseArgs(argv: string[]): Args {
  // The listing seeds hundreds of thousands of keys (many minutes here): only when asked for by --only.
  const args: Args = { quick: false, json: undefined, profile: false, rounds: 0, skyferryOnly: false, only: PARTS.filter((p) => p !== 'listing'), wanRounds: 1, pairs: [...PAIRS], sets: ['big', 'small'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--profile') args.profile = true;
    else if (a === '--skyferry-only') args.skyferryOnly = true;
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--only') {
      const list = (argv[++i] ?? '').split(',').map((p) => p.trim());
      const bad = list.filter((p) => !(PARTS as readonly string[]).includes(p));
      if (bad.length || list.length === 0) throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}`);
      args.only = list as Part[];
    } else if (a === '--pairs') {
      const list = (argv[++i] ?? '').split(',').map((p) => p.trim());
      if (list.length === 0 || list.some((p) => !(PAIRS as readonly string[]).includes(p))) throw new Error(`--pairs takes a comma-separated list of ${PAIRS.join(', ')}`);
      args.pairs = list as PairName[];
    } else if (a === '--sets') {
      const list = (argv[++i] ?? '').split(',').map((p) => p.trim());
      if (list.length === 0 || list.some((p) => p !== 'big' && p !== 'small')) throw new Error('--sets takes big, small or big,small');
      args.sets = list as Array<'big' | 'small'>;
    } else if (a === '--wan-rounds') {
      args.wanRounds = Number(argv[++i]);
      if (!Number.isInteger(args.wanRounds) || args.wanRounds < 1 || args.wanRounds > 10) throw new Error('--wan-rounds needs a whole number from 1 to 10');
    }
    else if (a === '--rounds') {
      args.rounds = Number(argv[++i]);
      if (!Number.isInteger(args.rounds) || args.rounds < 1 || args.rounds > 20) throw new Error('--rounds needs a whole number from 1 to 20');
    } else throw new Error(`Unknown option ${a}: use --quick, --rounds N, --profile, --skyferry-only, --json <file>, --only ${PARTS.join(',')}, --wan-rounds N, --pairs ${PAIRS.join(',')}, --sets big,small`);
  }
  if (args.json !== undefined && args.json.trim() === '') throw new Error('--json needs a file name');
  if (args.rounds === 0) args.rounds = args.quick ? 1 : 3;
  return args;
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

interface Ctx {
  minio: MinioHandle;
  az: AzuriteHandle;
  blob: BlobServiceClient;
  set: DataSet;
  tmp: string;
  rclone: string;
  profile: boolean;
  /** Each run's tool CPU seconds (whole process), by run name. */
  cpu: Map<string, number>;
}

/** The engine's requests by kind, most time first (time to response headers, summed over concurrent requests). */
function httpLines(stats: Record<string, { count: number; totalMs: number; maxMs: number }>): string[] {
  return Object.entries(stats)
    .sort((a, b) => b[1].totalMs - a[1].totalMs)
    .slice(0, 10)
    .map(([k, s]) => `http ${k}: ${s.count} requests, avg ${(s.totalMs / s.count).toFixed(1)} ms, max ${s.maxMs.toFixed(0)} ms`);
}

/** One cross-cloud run into a fresh, empty container; the container is verified, then dropped to free the disk. */
async function crossRun(ctx: Ctx, name: string, container: string, prefix: string, exec: (container: string) => Promise<Omit<RunFigures, 'name' | 'ok' | 'bytes'> & { exited: boolean }>): Promise<RunFigures> {
  const c = ctx.blob.getContainerClient(container);
  await c.create();
  process.stderr.write(`[bench] ${name}: running (load average ${loadAverage()})\n`);
  const azNeedle = `--blobPort ${new URL(ctx.az.endpoint).port}`;
  const minioNeedle = new URL(ctx.minio.endpoint).host;
  const cpu0 = { az: cpuSecondsOf(azNeedle), minio: cpuSecondsOf(minioNeedle), tool: childrenCpuSeconds() };
  const r = await exec(container);
  const cpu = { az: cpuSecondsOf(azNeedle) - cpu0.az, minio: cpuSecondsOf(minioNeedle) - cpu0.minio, tool: childrenCpuSeconds() - cpu0.tool };
  const v = await verifyContainer(c, prefix, ctx.set);
  const notes = [...r.notes];
  // Where the 2 CPUs went: the tool's whole process (start-up included), and each emulator while the tool ran.
  ctx.cpu.set(name, cpu.tool);
  notes.push(`CPU seconds: tool ${cpu.tool.toFixed(1)} (${(cpu.tool / (totalBytes(ctx.set) / 1e9)).toFixed(1)} per GB), Azurite ${cpu.az.toFixed(1)}, MinIO ${cpu.minio.toFixed(1)}`);
  if (!r.exited) notes.push('the process did not finish cleanly');
  if (!v.ok) notes.push(`verification FAILED: ${v.problems.slice(0, 5).join('; ')}`);
  else notes.push(`verified with the Azure SDK: ${v.count} blobs, ${v.bytes} bytes, MD5 of 5 files read back`);
  await c.delete().catch(() => undefined);
  const figures: RunFigures = { name, ok: v.ok && r.exited, seconds: r.seconds, bytes: totalBytes(ctx.set), peakRssBytes: r.peakRssBytes, notes };
  process.stderr.write(`[bench] ${name}: ${r.seconds.toFixed(2)} s, ${mbps(figures).toFixed(1)} MB/s, ${(r.peakRssBytes / MB).toFixed(0)} MB peak${figures.ok ? '' : ' (NOT VERIFIED)'}\n`);
  return figures;
}

/** `sources` is one prefix of the data set; the engine copies it under its own folder name (`data/`, `big/`). */
async function skyferry(ctx: Ctx, name: string, source: string, set: DataSet = ctx.set): Promise<RunFigures> {
  const run = async (container: string) => {
    const workDir = await mkdtemp(path.join(ctx.tmp, 'engine-'));
    const { measured, result } = await runSkyferry({ workDir, accounts: engineAccounts(ctx.minio, ctx.az), sources: [`s3://minio/bench/${source}`], destination: `az://azurite/${container}/` });
    await rm(workDir, { recursive: true, force: true });
    const phases = Object.entries(result.phases ?? {}).map(([p, ms]) => `${p} at ${(ms / 1000).toFixed(2)} s`).join(', ');
    const notes = [
      `job ${result.state}${result.error ? ` (${result.error})` : ''}; path ${result.path ?? '?'}; files done ${result.filesDone ?? 0}, failed ${result.filesFailed ?? 0}; verified by ${JSON.stringify(result.checksums ?? {})}`,
      `seconds = jobs:start to completion event (${phases}); whole process ${(measured.wallMs / 1000).toFixed(2)} s incl. Node start and engine setup ${((result.engineReadyMs ?? 0) / 1000).toFixed(2)} s`,
    ];
    if (result.memory) {
      const mb = (n: number): string => (n / 1e6).toFixed(0);
      const m = result.memory;
      notes.push(`memory peaks inside the process (MB): rss ${mb(m.rss)}, V8 heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)} (of which ArrayBuffers/Buffers ${mb(m.arrayBuffers)})`);
    }
    if (ctx.profile) notes.push(...httpLines(result.http ?? {}));
    return { exited: measured.code === 0 && result.state === 'completed', seconds: (result.jobMs ?? measured.wallMs) / 1000, peakRssBytes: peakOf(measured), notes };
  };
  return crossRun({ ...ctx, set }, name, `sky-${Date.now().toString(36)}`, source === 'data/' ? 'data/' : '', run);
}

async function rclone(ctx: Ctx, name: string, extra: string[], from = 'data', set: DataSet = ctx.set): Promise<RunFigures> {
  const run = async (container: string) => {
    const env = rcloneEnv(ctx.minio, ctx.az, path.join(ctx.tmp, 'rclone.conf'));
    const m = await runRclone(ctx.rclone, env, ['copy', `src:bench/${from}`, `dst:${container}/${from}`, ...extra]);
    const notes = [`seconds = whole rclone process (rclone copy ${extra.join(' ') || '(defaults)'})`];
    if (m.code !== 0) notes.push(`rclone exited ${m.code}: ${m.stderr.slice(-600)}`);
    return { exited: m.code === 0, seconds: m.wallMs / 1000, peakRssBytes: peakOf(m), notes };
  };
  return crossRun({ ...ctx, set }, name, `rc-${Date.now().toString(36)}`, 'data/', run);
}

/** The loopback profile: MinIO -> Azurite on the emulators as they are, and the single upload. */
async function runLoopback(args: Args, tmp: string, rcloneBin: string, cleanup: Array<() => Promise<void>>): Promise<{ out: string; goals: Target[] }> {
  const set = args.quick ? QUICK : FULL;
  const loadBefore = loadAverage();
  {
    const [minio, az] = await Promise.all([startMinio({ dataDir: path.join(tmp, 'minio') }), startAzurite({ dataDir: path.join(tmp, 'azurite') })]);
    cleanup.push(() => minio.stop(), () => az.stop());
    const s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    cleanup.push(async () => s3.destroy());
    const blob = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
    const ctx: Ctx = { minio, az, blob, set, tmp, rclone: rcloneBin, profile: args.profile, cpu: new Map() };

    const seedStart = performance.now();
    process.stderr.write(`[bench] seeding ${set.bigCount} x ${set.bigSize / 1048576} MiB + ${set.smallCount} x ${set.smallSize} B into MinIO\n`);
    await seed(s3, 'bench', set);
    process.stderr.write(`[bench] seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);

    // Interleaved rounds, so that a slow spell of the shared machine falls on all three tools alike.
    const rounds: Array<{ sky: RunFigures; def?: RunFigures; tuned?: RunFigures }> = [];
    for (let r = 1; r <= args.rounds; r++) {
      const tag = args.rounds > 1 ? ` (round ${r})` : '';
      const sky = await skyferry(ctx, `Skyferry engine${tag}`, 'data/');
      if (args.skyferryOnly) rounds.push({ sky });
      else rounds.push({ sky, def: await rclone(ctx, `rclone (defaults)${tag}`, []), tuned: await rclone(ctx, `rclone --transfers 16 --checkers 16${tag}`, ['--transfers', '16', '--checkers', '16']) });
    }
    const runs = rounds.flatMap((r) => [r.sky, ...(r.def ? [r.def] : []), ...(r.tuned ? [r.tuned] : [])]);
    const profile: RunFigures[] = [];
    if (args.profile) {
      // The same data cut in two, to see which half limits each tool.
      const bigOnly: DataSet = { ...set, smallCount: 0 };
      const smallOnly: DataSet = { ...set, bigCount: 0 };
      profile.push(await skyferry(ctx, 'Skyferry: big files only', 'data/big/', bigOnly));
      if (!args.skyferryOnly) profile.push(await rclone(ctx, 'rclone tuned: big files only', ['--transfers', '16', '--checkers', '16'], 'data/big', bigOnly));
      profile.push(await skyferry(ctx, 'Skyferry: small files only', 'data/small/', smallOnly));
      if (!args.skyferryOnly) profile.push(await rclone(ctx, 'rclone tuned: small files only', ['--transfers', '16', '--checkers', '16'], 'data/small', smallOnly));
    }

    const upload: UploadFigures | undefined = args.skyferryOnly ? undefined : await runUploadBench({ minio, s3, tmp, sizeBytes: args.quick ? 64 * 1048576 : 256 * 1048576, rounds: args.quick ? 1 : 2 });

    const ratio = (a: RunFigures, b: RunFigures | undefined): number => (b && a.ok && b.ok ? mbps(a) / mbps(b) : NaN);
    const perRound = rounds.map((r) => ({ def: ratio(r.sky, r.def), tuned: ratio(r.sky, r.tuned) }));
    const all = (xs: number[]): string => xs.map((x) => `${x.toFixed(2)}x`).join(', ');
    const several = rounds.length > 1;
    const peak = rounds.every((r) => r.sky.ok) ? Math.max(...rounds.map((r) => r.sky.peakRssBytes)) / MB : NaN;
    const goals: Target[] = [
      ...(args.skyferryOnly
        ? []
        : [
            { label: `Skyferry / rclone defaults (throughput${several ? ', median' : ''})`, value: median(perRound.map((r) => r.def)), target: 0.9, kind: 'min', unit: 'x' } as Target,
            { label: `Skyferry / rclone tuned (throughput${several ? ', median' : ''})`, value: median(perRound.map((r) => r.tuned)), target: 1.0, kind: 'min', unit: 'x' } as Target,
          ]),
      { label: `Skyferry peak RSS (MB${several ? ', highest round' : ''})`, value: peak, target: 300, kind: 'max', unit: '' },
      ...(upload ? [{ label: 'engine upload / bare SDK upload (throughput)', value: upload.ratio, target: 0.9, kind: 'min', unit: 'x' } as Target] : []),
    ];
    const perGb = (pick: (r: (typeof rounds)[number]) => RunFigures | undefined): string => {
      const v = median(rounds.map((r) => { const f = pick(r); return f ? (ctx.cpu.get(f.name) ?? NaN) / (totalBytes(set) / 1e9) : NaN; }));
      return Number.isFinite(v) ? v.toFixed(1) : '-';
    };
    const cpuLine = `Tool CPU seconds per GB copied (median): Skyferry ${perGb((r) => r.sky)}, rclone defaults ${perGb((r) => r.def)}, rclone tuned ${perGb((r) => r.tuned)}`;
    const roundLines =
      several && !args.skyferryOnly
        ? [
            '',
            `Per round: vs rclone defaults ${all(perRound.map((r) => r.def))}; vs rclone tuned ${all(perRound.map((r) => r.tuned))}; Skyferry peak RSS ${rounds.map((r) => (r.sky.peakRssBytes / MB).toFixed(0)).join(', ')} MB`,
          ]
        : several
          ? ['', `Per round: Skyferry ${rounds.map((r) => `${r.sky.seconds.toFixed(2)} s / ${(r.sky.peakRssBytes / MB).toFixed(0)} MB`).join(', ')}`]
          : [];
    const loadAfter = loadAverage();
    const out = [
      '',
      `[loopback (no shaping)] Cross-cloud copy MinIO -> Azurite: ${set.bigCount} x ${set.bigSize / 1048576} MiB + ${set.smallCount} x ${set.smallSize} B (${(totalBytes(set) / MB).toFixed(0)} MB, ${set.bigCount + set.smallCount} files)${args.quick ? ' [--quick]' : ''}`,
      table(runs),
      cpuLine,
      ...roundLines,
      ...(profile.length ? ['', 'Profile (the data set cut in two):', table(profile)] : []),
      ...(upload
        ? ['', `Single upload, local file -> MinIO, ${upload.sizeBytes / 1048576} MiB, part ${upload.partSizeBytes / 1048576} MiB x ${upload.concurrency} in flight (best of ${upload.rounds}):`, table(upload.rows)]
        : []),
      '',
      'Targets:',
      targets(goals),
      '',
      `Load average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter} on ${os.cpus().length} CPUs. The machine is shared: figures are noisy.`,
    ].join('\n');
    process.stdout.write(`${out}\n`);
    const result = { out, goals };

    if (args.json !== undefined) {
      const dir = path.join(REPO_ROOT, 'bench', 'results');
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, path.basename(args.json));
      const data = { at: new Date().toISOString(), quick: args.quick, rounds: args.rounds, set, loadBefore, loadAfter, cpus: os.cpus().length, runs, perRound, profile, upload, targets: goals.map((g) => ({ ...g, met: met(g) })) };
      await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
      process.stdout.write(`Saved ${path.relative(REPO_ROOT, file)}\n`);
    }
    return result;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadBefore = loadAverage();
  const cleanup: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    cleanup.length = 0;
  };
  // Ctrl+C must not leave emulators running or a GiB of temp data behind.
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  const log = (l: string): void => void process.stderr.write(`[bench] ${l}\n`);
  const started = performance.now();
  try {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-bench-'));
    cleanup.push(() => rm(tmp, { recursive: true, force: true }));
    await buildEntries();
    const needsRclone = !args.skyferryOnly && args.only.some((p) => p !== 'listing');
    const rcloneBin = needsRclone ? await ensureGoTool('rclone', log) : '';
    const goals: Target[] = [];
    const out: string[] = [];
    if (args.only.includes('loopback')) {
      // The part's stops go on the bench's own list (Ctrl+C runs them) and run when the part ends.
      const mark = cleanup.length;
      try {
        await mkdir(path.join(tmp, 'loopback'), { recursive: true });
        const r = await runLoopback(args, path.join(tmp, 'loopback'), rcloneBin, cleanup);
        goals.push(...r.goals.map((g) => ({ ...g, label: `loopback: ${g.label}` })));
      } finally {
        for (const fn of cleanup.splice(mark).reverse()) await fn().catch(() => undefined);
        await rm(path.join(tmp, 'loopback'), { recursive: true, force: true });
      }
    }
    // In the order --only names them.
    const profiles = args.only.flatMap((p) => (p === 'cross-cloud' ? [CROSS_CLOUD] : p === 'home-office' ? [HOME_OFFICE] : []));
    if (profiles.length) {
      const r = await runWan({ sets: args.quick ? WAN_QUICK : WAN_FULL, rounds: args.wanRounds, pairs: args.pairs, skyferryOnly: args.skyferryOnly, which: args.sets, profiles, tmp: path.join(tmp, 'wan'), rclone: rcloneBin, log, cleanup });
      await rm(path.join(tmp, 'wan'), { recursive: true, force: true });
      out.push('', `WAN profiles (Toxiproxy ${GO_TOOLS.toxiproxy.version} in front of each emulator; the shared cap by bench/shaper.ts in its own process); ${args.wanRounds} round(s) each${args.quick ? ' [--quick]' : ''}:`, ...r.lines);
      goals.push(...r.goals);
    }
    if (args.only.includes('requests') && !args.skyferryOnly) {
      const r = await runRequestCounts({ tmp: path.join(tmp, 'requests'), rclone: rcloneBin, files: args.quick ? 100 : 500, log });
      await rm(path.join(tmp, 'requests'), { recursive: true, force: true });
      out.push('', ...r);
    }
    if (args.only.includes('listing') && !args.skyferryOnly) {
      const r = await runListing({ quick: args.quick, log });
      out.push('', ...r.lines);
      goals.push(...r.goals);
    }
    const later = goals.filter((g) => !g.label.startsWith('loopback: '));
    if (later.length) out.push('', 'Targets (WAN and listing; the loopback targets are printed above with their run):', targets(later));
    out.push(
      '',
      `Whole bench ${((performance.now() - started) / 60000).toFixed(1)} min. Load average (1/5/15 min) before: ${loadBefore}; after: ${loadAverage()} on ${os.cpus().length} CPUs. The machine is shared: figures are noisy.`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
