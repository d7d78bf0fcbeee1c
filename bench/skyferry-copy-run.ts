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

async function main(): Promise<void> {
  const req = CopyRequestSchema.parse(JSON.parse(await readStdin()));
  const t0 = performance.now();
  // BENCH_NEW_SPACE=<MiB> or "v8": the engine's cap on V8's new space (young-generation.ts), or none, for A/B runs.
  const newSpace = process.env.BENCH_NEW_SPACE;
  const newSpaceBytes = newSpace === undefined ? {} : { newSpaceBytes: newSpace === 'v8' ? (false as const) : Number(newSpace) * 1024 * 1024 };
  // BENCH_OLD_SPACE=<MiB> or "v8": the old space's headroom before the engine asks for a full collection (old-generation.ts), or V8's own limits.
  const oldSpace = process.env.BENCH_OLD_SPACE;
  const oldSpaceHeadroomBytes = oldSpace === undefined ? {} : { oldSpaceHeadroomBytes: oldSpace === 'v8' ? (false as const) : Number(oldSpace) * 1024 * 1024 };
  // BENCH_SCAVENGE=<MiB> or "v8": how far ArrayBuffers grow while the engine relays before it asks for a scavenge (young-generation.ts), or never.
  const scavenge = process.env.BENCH_SCAVENGE;
  const scavengeAfterBytes = scavenge === undefined ? {} : { scavengeAfterBytes: scavenge === 'v8' ? (false as const) : Number(scavenge) * 1024 * 1024 };
  const engine = await createEngine({ dataDir: path.join(req.workDir, 'data'), cipher: await createFileKeyCipher(path.join(req.workDir, 'keys', 'key')), ...newSpaceBytes, ...oldSpaceHeadroomBytes, ...scavengeAfterBytes });
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
