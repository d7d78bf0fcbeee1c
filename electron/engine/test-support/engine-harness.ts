import path from 'node:path';
import type { JobDetail, JobSummary, RetentionPreview } from '../../../shared/contract';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';

/** An engine on `<dir>/data` with a file-key cipher, as the desktop and served modes make one. */
export async function openTestEngine(dir: string): Promise<Engine> {
  const dataDir = path.join(dir, 'data');
  return createEngine({ dataDir, cipher: await createFileKeyCipher(path.join(dataDir, 'secrets.key')) });
}

export interface Invoker {
  /** The channel's value; throws with the channel, code and message when the engine answers an error. */
  call<T>(channel: string, request: unknown): Promise<T>;
  /** The engine's error for a request that must fail; throws when it succeeds. */
  failure(channel: string, request: unknown): Promise<{ code: string; message: string }>;
}

/** Calls through whichever engine `current` returns, so a test that restarts its engine keeps one set of helpers. */
export function invoker(current: () => Engine): Invoker {
  return {
    async call<T>(channel: string, request: unknown): Promise<T> {
      const r = await current().invoke(channel, request);
      if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
    async failure(channel: string, request: unknown) {
      const r = await current().invoke(channel, request);
      if (r.ok) throw new Error(`${channel} succeeded`);
      return r.error;
    },
  };
}

const ENDED = ['completed', 'failed', 'cancelled'];

/** The job's detail once it has ended, woken by its `jobs:changed` events (bounded by `timeoutMs`). */
export async function jobEnded(engine: Engine, jobId: string, timeoutMs = 120_000): Promise<JobDetail> {
  const { call } = invoker(() => engine);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${jobId} did not end in ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = engine.subscribe((event, payload) => {
      const p = payload as JobSummary;
      if (event === 'jobs:changed' && p.id === jobId && ENDED.includes(p.state)) finish();
    });
    call<JobSummary>('jobs:get', { id: jobId }).then((now) => {
      if (ENDED.includes(now.state)) finish();
    }, (e: unknown) => {
      clearTimeout(timer);
      off();
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
  return call<JobDetail>('jobs:get', { id: jobId });
}

/** Starts a retention preview and returns it once it has ended, woken by its `retention:progress` events (bounded). */
export async function retentionPreview(engine: Engine, request: unknown, timeoutMs = 30_000): Promise<RetentionPreview> {
  const { call } = invoker(() => engine);
  let id = '';
  let off = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  // Armed only when the preview is still running after it started, so that no timer outlives a quick preview.
  let arm = (): void => {};
  const ended = new Promise<void>((resolve, reject) => {
    arm = () => {
      timer = setTimeout(() => reject(new Error(`preview ${id} did not finish in ${timeoutMs} ms`)), timeoutMs);
    };
    off = engine.subscribe((event, payload) => {
      const p = payload as { id: string; state: string };
      if (event === 'retention:progress' && p.id === id && p.state !== 'running') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    ({ id } = await call<{ id: string }>('retention:preview', request));
    let p = await call<RetentionPreview>('retention:previewResult', { id });
    if (p.state === 'running') {
      arm();
      await ended;
      p = await call<RetentionPreview>('retention:previewResult', { id });
    }
    if (p.error !== undefined) throw new Error(`preview ${id} ended with an error: ${JSON.stringify(p.error)}`);
    return p;
  } finally {
    clearTimeout(timer);
    off();
  }
}
