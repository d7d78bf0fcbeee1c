/**
 * The bench's engine child (skyferry-copy.ts loads it once the new space is capped): reads its request (emulator
 * accounts, sources, destination) as JSON on stdin, so that no key shows in a process listing, runs one copy job
 * through Skyferry's real engine, and prints one `RESULT {json}` line.
 */
import path from 'node:path';
import { JobDetailSchema, JobSummarySchema, type JobPhase } from '../shared/contract/jobs.channels';
import { createFileKeyCipher } from '../electron/engine/accounts/secret-store';
import { createEngine } from '../electron/engine/engine';
import type { Engine } from '../electron/engine/dispatch';
import { collectHttpStats } from './http-stats';
import { memoryDetail } from './memory-detail';
import { CopyRequestSchema, type CopyResult } from './protocol';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function call(engine: Engine, channel: string, request: unknown): Promise<unknown> {
  const r = await engine.invoke(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** `{ [option]: bytes | false }` from the environment variable `name` (<MiB>, or "v8" for false), or nothing when unset. */
function heapSetting<K extends 'newSpaceBytes' | 'oldSpaceHeadroomBytes' | 'scavengeAfterBytes'>(name: string, option: K): Partial<Record<K, number | false>> {
  const value = process.env[name];
  if (value === undefined) return {};
  if (value === 'v8') return { [option]: false } as Partial<Record<K, number | false>>;
  const mib = Number(value);
  if (value.trim() === '' || !Number.isFinite(mib) || mib < 0) throw new Error(`${name} must be a number of MiB or "v8", not "${value}"`);
  return { [option]: mib * 1024 * 1024 } as Partial<Record<K, number | false>>;
}

async function main(): Promise<void> {
  const req = CopyRequestSchema.parse(JSON.parse(await readStdin()));
  const t0 = performance.now();
  // For A/B runs, each of the engine's heap settings from the environment: <MiB>, or "v8" for V8's own behaviour.
  const heap = {
    // The cap on V8's new space (young-generation.ts).
    ...heapSetting('BENCH_NEW_SPACE', 'newSpaceBytes'),
    // The old space's headroom before the engine asks for a full collection (old-generation.ts).
    ...heapSetting('BENCH_OLD_SPACE', 'oldSpaceHeadroomBytes'),
    // How far ArrayBuffers grow while the engine relays before it asks for a scavenge (young-generation.ts).
    ...heapSetting('BENCH_SCAVENGE', 'scavengeAfterBytes'),
  };
  const engine = await createEngine({ dataDir: path.join(req.workDir, 'data'), cipher: await createFileKeyCipher(path.join(req.workDir, 'keys', 'key')), ...heap });
  try {
    for (const account of req.accounts) await call(engine, 'accounts:save', { account });
    const engineReadyMs = performance.now() - t0;

    // Phase times and a coarse progress trace from the events the UI gets, not from polling (one job per process).
    const phases: Partial<Record<JobPhase, number>> = {};
    const trace: Array<[number, number, number]> = [];
    let lastTrace = 0;
    const done = new Promise<void>((resolve) => {
      engine.subscribe((event, payload) => {
        if (event !== 'jobs:progress') return;
        const s = JobSummarySchema.parse(payload);
        const now = performance.now() - start;
        phases[s.phase] ??= now;
        if (now - lastTrace >= 1000 || s.phase === 'done') {
          lastTrace = now;
          trace.push([Math.round(now), s.bytesDone, s.filesDone]);
        }
        if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') resolve();
      });
    });
    const http = collectHttpStats();
    // Where the peak is: the V8 heap or the Buffers outside it (part buffers, sockets), each figure's own maximum.
    const memory = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
    const sample = (): void => {
      const m = process.memoryUsage();
      for (const k of Object.keys(memory) as Array<keyof typeof memory>) memory[k] = Math.max(memory[k], m[k]);
    };
    const detail = process.env.BENCH_MEMORY_DETAIL ? memoryDetail() : undefined;
    const sampler = setInterval(() => {
      sample();
      detail?.sample();
    }, 100);
    const start = performance.now();
    const { id } = (await call(engine, 'jobs:start', { kind: 'copy', sources: req.sources, destination: req.destination, ...(req.allowCloudPull ? { options: { allowCloudPull: true } } : {}) })) as { id: string };
    await done;
    const jobMs = performance.now() - start;
    clearInterval(sampler);
    sample();
    if (detail && process.env.BENCH_MEMORY_DETAIL) await detail.write(process.env.BENCH_MEMORY_DETAIL, jobMs);
    const job = JobDetailSchema.parse(await call(engine, 'jobs:get', { id, limit: 5000 }));
    const checksums: Record<string, number> = {};
    const paths: Record<string, number> = {};
    for (const f of job.files) {
      checksums[f.checksum ?? 'none'] = (checksums[f.checksum ?? 'none'] ?? 0) + 1;
      paths[f.path ?? '?'] = (paths[f.path ?? '?'] ?? 0) + 1;
    }
    const result: CopyResult = {
      state: job.state,
      path: job.path,
      filesDone: job.filesDone,
      filesFailed: job.filesFailed,
      bytesDone: job.bytesDone,
      engineReadyMs,
      jobMs,
      phases,
      checksums,
      paths,
      trace,
      http: http(),
      memory,
      ...(job.error ? { error: job.error.message } : {}),
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await engine.close();
  }
}

main().catch((e: unknown) => {
  process.stdout.write(`RESULT ${JSON.stringify({ state: 'failed', error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
});
