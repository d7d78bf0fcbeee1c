/**
 * The bench over shaped networks (bench/net.ts): MinIO -> fake-gcs-server, MinIO -> a second MinIO and MinIO ->
 * Azurite through Toxiproxy (cross-cloud), and MinIO -> Azurite through Toxiproxy and a shared uplink (home office).
 * For each pair: the destination's own floor in that profile, then interleaved rounds of Skyferry's relay, its
 * cloud-side pull (Azure destinations, through test-support/pull-proxy.ts), rclone's defaults and rclone tuned,
 * on two data sets (big files, small files), each run verified at the destination.
 */
import http from 'node:http';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { startPullProxy, type FetchSource, type PullProxy } from '../electron/engine/test-support/pull-proxy';
import { startAzurite, startFakeGcs, startMinio, startToxiproxy, type AzuriteHandle, type MinioHandle } from '../tools/emulators/emulators';
import { freePort } from '../tools/emulators/process';
import { seed, totalBytes, type DataSet } from './dataset';
import { azureDest, gcsDest, minioDest, s3Client, type Dest } from './dest';
import { childrenCpuSeconds, cpuSecondsOf, peakOf } from './measure';
import { cpuSecondsOfPid, CROSS_CLOUD, describe, HOME_OFFICE, startShaper, toxic, type NetProfile, type Shaper } from './net';
import { MB, mbps, table, type RunFigures, type Target } from './report';
import { runRclone, runSkyferry } from './runners';

const MiB = 1024 * 1024;

export interface WanSets {
  big: DataSet;
  small: DataSet;
}

export const WAN_FULL: WanSets = { big: { bigCount: 4, bigSize: 128 * MiB, smallCount: 0, smallSize: 0 }, small: { bigCount: 0, bigSize: 0, smallCount: 2500, smallSize: 16 * 1024 } };
export const WAN_QUICK: WanSets = { big: { bigCount: 4, bigSize: 16 * MiB, smallCount: 0, smallSize: 0 }, small: { bigCount: 0, bigSize: 0, smallCount: 300, smallSize: 16 * 1024 } };

type Tool = 'relay' | 'pull' | 'rclone' | 'tuned';
const TOOL_NAMES: Record<Tool, string> = { relay: 'Skyferry (relay)', pull: 'Skyferry (cloud-side pull)', rclone: 'rclone defaults', tuned: 'rclone --transfers 16 --checkers 16' };

/** Short names of the destinations, for --pairs. */
export const PAIRS = ['gcs', 'minio2', 'azurite'] as const;
export type PairName = (typeof PAIRS)[number];

export interface WanOptions {
  sets: WanSets;
  /** Which destinations and data sets run (all by default): for measuring one of them while changing the engine. */
  pairs?: readonly PairName[];
  which?: ReadonlyArray<'big' | 'small'>;
  /** Skyferry's runs alone (relay, and the pull where the profile has one): for A/B runs while changing the engine. */
  skyferryOnly?: boolean;
  rounds: number;
  profiles: NetProfile[];
  tmp: string;
  rclone: string;
  log: (line: string) => void;
  /** The bench's list of stops (Ctrl+C runs it): the part adds its own and runs them when it ends. */
  cleanup: Array<() => Promise<void>>;
}

interface PairResult {
  profile: NetProfile;
  pair: string;
  set: 'big' | 'small';
  floor: { seconds: number; cpu: string };
  runs: Record<Tool, RunFigures[]>;
  proxyCpu: Record<Tool, number[]>;
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/**
 * The cloud-side pull's stand-in reads the source link the way the destination's cloud would: over the
 * cross-cloud path (Toxiproxy in front of MinIO), never through the user's shared uplink. The link is signed for
 * the host the engine named, so that Host header is kept and only the connection goes elsewhere.
 */
function fetchVia(port: number): FetchSource {
  return (url, range) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const headers: Record<string, string> = { host: u.host, ...(range ? { range } : {}) };
      const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: `${u.pathname}${u.search}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

interface World {
  minio: MinioHandle;
  minio2: MinioHandle;
  az: AzuriteHandle;
  toxiPid: number;
  /** Per profile: the endpoints of each emulator as the tools reach them. */
  ends: Map<NetProfile['name'], { src: string; minio2: string; gcs?: string; az: string; pull: string }>;
  shaper?: Shaper;
  pull: PullProxy;
  dests: Map<string, Dest>;
}

/** Starts the emulators, Toxiproxy, the shaper and the pull stand-in; `cleanup` gets their stops. */
async function startWorld(o: WanOptions, cleanup: Array<() => Promise<void>>): Promise<World & { gcsHandle: Awaited<ReturnType<typeof startFakeGcs>> }> {
  const tp = await startToxiproxy();
  cleanup.push(() => tp.stop());
  // fake-gcs-server writes its public address into resumable upload links: the cross-cloud proxy's, picked first.
  const gcsPort = await freePort();
  const [minio, minio2, az, gcsHandle] = await Promise.all([
    startMinio({ dataDir: path.join(o.tmp, 'minio') }),
    startMinio({ dataDir: path.join(o.tmp, 'minio2') }),
    startAzurite({ dataDir: path.join(o.tmp, 'azurite') }),
    startFakeGcs({ dataDir: path.join(o.tmp, 'gcs'), publicHost: `127.0.0.1:${gcsPort}` }),
  ]);
  cleanup.push(() => minio.stop(), () => minio2.stop(), () => az.stop(), () => gcsHandle.stop());
  const wan = CROSS_CLOUD;
  const src = await toxic(tp, minio.endpoint, wan);
  const pull = await startPullProxy(az, { fetchSource: fetchVia(Number(new URL(src).port)) });
  cleanup.push(() => pull.close());
  const cross = { src, minio2: await toxic(tp, minio2.endpoint, wan), gcs: await toxic(tp, gcsHandle.endpoint, wan, gcsPort), az: await toxic(tp, az.endpoint, wan), pull: await toxic(tp, pull.endpoint, wan) };
  const ends: World['ends'] = new Map([['cross-cloud', cross]]);
  let shaper: Shaper | undefined;
  if (o.profiles.some((p) => p.name === 'home office')) {
    // The home office pair is MinIO -> Azurite: fake-gcs-server's upload links name the cross-cloud proxy only.
    const caps = HOME_OFFICE.shared ?? { upBytesPerSec: 0, downBytesPerSec: 0 };
    shaper = await startShaper([cross.src, cross.minio2, cross.az, cross.pull], caps);
    const s = shaper;
    cleanup.push(() => s.stop());
    const [hsrc = '', hminio2 = '', haz = '', hpull = ''] = shaper.endpoints;
    ends.set('home office', { src: hsrc, minio2: hminio2, az: haz, pull: hpull });
  }
  return { minio, minio2, az, toxiPid: tp.pid, ends, shaper, pull, dests: new Map(), gcsHandle };
}

function destsFor(w: World & { gcsHandle: Awaited<ReturnType<typeof startFakeGcs>> }, profile: NetProfile, pairs: readonly PairName[]): Array<{ pair: string; dest: Dest; pullDest?: Dest }> {
  const e = w.ends.get(profile.name);
  if (!e) throw new Error(`no endpoints for ${profile.name}`);
  const out: Array<{ pair: string; dest: Dest; pullDest?: Dest }> = [];
  if (e.gcs && pairs.includes('gcs')) out.push({ pair: 'MinIO -> fake-gcs-server', dest: gcsDest(w.gcsHandle, e.gcs, 'gcs') });
  if (profile.name === 'cross-cloud' && pairs.includes('minio2')) out.push({ pair: 'MinIO -> a second MinIO', dest: minioDest(w.minio2, e.minio2, 'minio2') });
  if (pairs.includes('azurite')) out.push({ pair: 'MinIO -> Azurite', dest: azureDest(w.az, e.az, 'azurite'), pullDest: azureDest(w.az, e.pull, 'azpull') });
  return out;
}

let bucketSeq = 0;
const newBucket = (tag: string): string => `${tag}-${Date.now().toString(36)}-${++bucketSeq}`;

/** CPU seconds of the proxies (Toxiproxy, and the shaper where the profile has one). */
function proxyCpu(w: World): number {
  return cpuSecondsOfPid(w.toxiPid) + (w.shaper ? cpuSecondsOfPid(w.shaper.pid) : 0);
}

async function runOne(w: World, o: WanOptions, profile: NetProfile, src: string, dest: Dest, tool: Tool, which: 'big' | 'small', set: DataSet, label: string): Promise<{ fig: RunFigures; proxy: number }> {
  const bucket = newBucket(tool === 'relay' || tool === 'pull' ? 'sky' : 'rc');
  await dest.create(bucket);
  const cpu0 = { proxy: proxyCpu(w), tool: childrenCpuSeconds(), az: cpuSecondsOf(`--blobPort ${new URL(w.az.endpoint).port}`), self: process.cpuUsage() };
  const notes: string[] = [];
  let exited = false;
  let seconds = NaN;
  let peak = 0;
  if (tool === 'relay' || tool === 'pull') {
    const workDir = await mkdtemp(path.join(o.tmp, 'engine-'));
    const srcAccount = { kind: 's3' as const, name: 'minio', region: w.minio.region, endpoint: src, forcePathStyle: true, checksumMode: 'when_supported' as const, secrets: { accessKeyId: w.minio.accessKeyId, secretAccessKey: w.minio.secretAccessKey } };
    const { measured, result } = await runSkyferry({ workDir, accounts: [srcAccount, dest.account], sources: [`s3://minio/wan/data/${which}/`], destination: dest.uri(bucket), allowCloudPull: tool === 'pull' });
    await rm(workDir, { recursive: true, force: true });
    exited = measured.code === 0 && result.state === 'completed';
    seconds = (result.jobMs ?? measured.wallMs) / 1000;
    peak = peakOf(measured);
    notes.push(`job ${result.state}${result.error ? ` (${result.error})` : ''}; paths ${JSON.stringify(result.paths ?? {})}; files done ${result.filesDone ?? 0}, failed ${result.filesFailed ?? 0}`);
    if (result.memory) notes.push(`memory peaks inside the process (MB): rss ${(result.memory.rss / MB).toFixed(0)}, V8 heap used ${(result.memory.heapUsed / MB).toFixed(0)}, ArrayBuffers ${(result.memory.arrayBuffers / MB).toFixed(0)}`);
  } else {
    const env = {
      RCLONE_CONFIG: path.join(o.tmp, 'rclone.conf'),
      RCLONE_CONFIG_SRC_TYPE: 's3',
      RCLONE_CONFIG_SRC_PROVIDER: 'Minio',
      RCLONE_CONFIG_SRC_ENDPOINT: src,
      RCLONE_CONFIG_SRC_REGION: w.minio.region,
      RCLONE_CONFIG_SRC_ACCESS_KEY_ID: w.minio.accessKeyId,
      RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY: w.minio.secretAccessKey,
      ...dest.rclone,
    };
    const extra = tool === 'tuned' ? ['--transfers', '16', '--checkers', '16'] : [];
    const m = await runRclone(o.rclone, env, ['copy', `src:wan/data/${which}`, `dst:${bucket}/${which}`, ...extra]);
    exited = m.code === 0;
    seconds = m.wallMs / 1000;
    peak = peakOf(m);
    if (m.code !== 0) notes.push(`rclone exited ${m.code}: ${m.stderr.slice(-600)}`);
  }
  const self = process.cpuUsage(cpu0.self);
  const cpu = { proxy: proxyCpu(w) - cpu0.proxy, tool: childrenCpuSeconds() - cpu0.tool, az: cpuSecondsOf(`--blobPort ${new URL(w.az.endpoint).port}`) - cpu0.az };
  notes.push(
    `CPU seconds: tool ${cpu.tool.toFixed(1)}, proxies ${cpu.proxy.toFixed(1)} (Toxiproxy${w.shaper && profile.shared ? ' + shaper' : ''})${tool === 'pull' ? `, pull stand-in in the bench's process ${((self.user + self.system) / 1e6).toFixed(1)}` : ''}${dest.kind === 'azure' ? `, Azurite ${cpu.az.toFixed(1)}` : ''}`,
  );
  const v = await dest.verify(bucket, '', set);
  if (!v.ok) notes.push(`verification FAILED: ${v.problems.slice(0, 4).join('; ')}`);
  await dest.drop(bucket).catch(() => undefined);
  const fig: RunFigures = { name: label, ok: v.ok && exited, seconds, bytes: totalBytes(set), peakRssBytes: peak, notes };
  o.log(`${label}: ${seconds.toFixed(2)} s, ${mbps(fig).toFixed(1)} MB/s, ${(peak / MB).toFixed(0)} MB peak${fig.ok ? '' : ' (NOT VERIFIED)'}; proxies ${cpu.proxy.toFixed(1)} CPU-s`);
  return { fig, proxy: cpu.proxy };
}

/** The destination's own floor for `set` in the profile: bare SDK, data from memory, many requests in flight. */
async function floorOf(w: World, dest: Dest, set: DataSet): Promise<{ seconds: number; cpu: string }> {
  const bucket = newBucket('floor');
  await dest.create(bucket);
  const cpu0 = proxyCpu(w);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await dest.floor(bucket, set, { files: Math.max(1, set.bigCount), partsPerFile: 8, small: 64 });
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  await dest.drop(bucket).catch(() => undefined);
  return { seconds, cpu: `proxies ${(proxyCpu(w) - cpu0).toFixed(1)}, SDK client ${((self.user + self.system) / 1e6).toFixed(1)} CPU-s` };
}

export interface WanReport {
  lines: string[];
  goals: Target[];
  results: PairResult[];
}

function ratio(a: RunFigures | undefined, b: RunFigures | undefined): number {
  return a && b && a.ok && b.ok ? mbps(a) / mbps(b) : NaN;
}

export async function runWan(o: WanOptions): Promise<WanReport> {
  const cleanup = o.cleanup;
  const mark = cleanup.length;
  const results: PairResult[] = [];
  try {
    await mkdir(o.tmp, { recursive: true });
    const w = await startWorld(o, cleanup);
    const s3 = s3Client(w.minio.endpoint, w.minio);
    cleanup.push(async () => s3.destroy());
    const t0 = performance.now();
    const both: DataSet = { ...o.sets.big, smallCount: o.sets.small.smallCount, smallSize: o.sets.small.smallSize };
    o.log(`seeding ${both.bigCount} x ${both.bigSize / MiB} MiB + ${both.smallCount} x ${both.smallSize / 1024} KiB into MinIO`);
    await seed(s3, 'wan', both);
    o.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    for (const profile of o.profiles) {
      for (const { pair, dest, pullDest } of destsFor(w, profile, o.pairs ?? PAIRS)) {
        for (const which of o.which ?? (['big', 'small'] as const)) {
          const set = o.sets[which];
          const src = w.ends.get(profile.name)?.src ?? '';
          o.log(`${profile.name}, ${pair}, ${which} files: floor`);
          const floor = await floorOf(w, dest, set);
          o.log(`floor of ${dest.label} (${profile.name}, ${which}): ${floor.seconds.toFixed(2)} s (${floor.cpu})`);
          // The pull's target is the home office's (no byte on the uplink); cross-cloud leaves it out to keep the run short.
          const tools = (pullDest && profile.shared ? (['relay', 'pull', 'rclone', 'tuned'] as const) : (['relay', 'rclone', 'tuned'] as const)).filter((t) => !o.skyferryOnly || t === 'relay' || t === 'pull');
          const r: PairResult = { profile, pair, set: which, floor, runs: { relay: [], pull: [], rclone: [], tuned: [] }, proxyCpu: { relay: [], pull: [], rclone: [], tuned: [] } };
          for (let round = 1; round <= o.rounds; round++) {
            for (const tool of tools) {
              const label = `${TOOL_NAMES[tool]}${o.rounds > 1 ? ` (round ${round})` : ''}`;
              const { fig, proxy } = await runOne(w, o, profile, src, tool === 'pull' && pullDest ? pullDest : dest, tool, which, set, label);
              r.runs[tool].push(fig);
              r.proxyCpu[tool].push(proxy);
            }
          }
          results.push(r);
        }
        dest.close();
        pullDest?.close();
      }
    }
  } finally {
    for (const fn of cleanup.splice(mark).reverse()) await fn().catch(() => undefined);
  }
  return report(results, o);
}

function report(results: PairResult[], o: WanOptions): WanReport {
  const lines: string[] = [];
  const goals: Target[] = [];
  const med = (r: PairResult, a: Tool, b: Tool): number => median(r.runs[a].map((x, i) => ratio(x, r.runs[b][i])));
  for (const r of results) {
    const setText = r.set === 'big' ? `${o.sets.big.bigCount} x ${o.sets.big.bigSize / MiB} MiB` : `${o.sets.small.smallCount} x ${o.sets.small.smallSize / 1024} KiB`;
    const defSeconds = median(r.runs.rclone.map((x) => (x.ok ? x.seconds : NaN)));
    // Under a shared uplink the floor is the uplink by design: there the pair counts when the uplink, not the
    // emulator, sets the floor (within a quarter of the bytes' time at the uplink's rate).
    const uplinkSeconds = r.profile.shared ? totalBytes(o.sets[r.set]) / r.profile.shared.upBytesPerSec : NaN;
    const counts = r.floor.seconds < defSeconds / 2 || r.floor.seconds <= 1.25 * uplinkSeconds;
    lines.push('', `[${describe(r.profile)}] ${r.pair}, ${setText} (${(totalBytes(o.sets[r.set]) / MB).toFixed(0)} MB)`);
    lines.push(`destination floor (bare SDK from memory, same profile): ${r.floor.seconds.toFixed(2)} s (${r.floor.cpu}); rclone defaults ${defSeconds.toFixed(2)} s${Number.isFinite(uplinkSeconds) ? `; the bytes at the uplink's rate ${uplinkSeconds.toFixed(2)} s` : ''}: ${counts ? 'the pair counts' : 'the floor is neither under half of rclone defaults nor set by the uplink: ratios do not count'}`);
    const rows = (['relay', 'pull', 'rclone', 'tuned'] as const).flatMap((t) => r.runs[t]);
    lines.push(table(rows));
    const tag = `${r.profile.name}, ${r.pair}, ${r.set}`;
    const push = (label: string, value: number, target: number, kind: 'min' | 'max' = 'min', unit = 'x', counted = counts): void => {
      goals.push({ label: `${tag}: ${label}`, value, target, kind, unit, ...(counted ? {} : { void: `floor ${r.floor.seconds.toFixed(1)} s >= half of rclone defaults ${defSeconds.toFixed(1)} s${Number.isFinite(uplinkSeconds) ? ` and > 1.25 x uplink time ${uplinkSeconds.toFixed(1)} s` : ''}` }) });
    };
    if (r.profile.name === 'cross-cloud') {
      push('relay / rclone defaults', med(r, 'relay', 'rclone'), 1.5);
      push('relay / rclone tuned', med(r, 'relay', 'tuned'), 1.0);
    } else if (r.profile.shared) {
      const uplink = r.profile.shared.upBytesPerSec / MB;
      if (r.set === 'big') push(`relay MB/s (>= 90% of the ${uplink} MB/s uplink)`, median(r.runs.relay.map((x) => (x.ok ? mbps(x) : NaN))), 0.9 * uplink, 'min', ' MB/s');
      else push('relay / rclone defaults', med(r, 'relay', 'rclone'), 1.5);
      push('relay / rclone tuned', med(r, 'relay', 'tuned'), 1.0);
      if (r.runs.pull.length) push('cloud-side pull / rclone defaults', med(r, 'pull', 'rclone'), 4, 'min', 'x', true);
    }
  }
  for (const p of o.profiles) {
    const peaks = results.filter((r) => r.profile.name === p.name).flatMap((r) => [...r.runs.relay, ...r.runs.pull].map((x) => x.peakRssBytes / MB));
    goals.push({ label: `${p.name}: Skyferry peak RSS (MB, highest run)`, value: peaks.length ? Math.max(...peaks) : NaN, target: 300, kind: 'max', unit: '' });
  }
  return { lines, goals, results };
}
