import { MigrationSummarySchema, type MigrationState, type MigrationSummary } from '../../../shared/contract/migrations.channels';
import type { Engine } from '../dispatch';

export async function call(engine: Engine, channel: string, request: unknown): Promise<unknown> {
  const r = await engine.invoke(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Resolves once the migration is in one of `states`, woken by its `plans:progress` events (no polling loop). */
export async function waitForState(engine: Engine, id: string, states: readonly MigrationState[], timeoutMs = 60_000): Promise<MigrationSummary> {
  const get = async (): Promise<MigrationSummary> => MigrationSummarySchema.parse(await call(engine, 'plans:get', { id }));
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (s: MigrationSummary | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      if (s instanceof Error) reject(s);
      else resolve(s);
    };
    const check = (): void => {
      get()
        .then((s) => {
          if (states.includes(s.state)) finish(s);
        })
        .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    };
    const off = engine.subscribe((event, payload) => {
      if (event === 'plans:progress' && (payload as { id: string }).id === id) check();
    });
    const timer = setTimeout(() => {
      get()
        .then((s) => finish(new Error(`migration ${id} is ${s.state} (${s.message ?? ''}), not ${states.join('/')}, after ${timeoutMs} ms`)))
        .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    }, timeoutMs);
    check();
  });
}

/** Creates a migration plan and waits until it is planned; throws with the engine's reason if planning failed. */
export async function planned(engine: Engine, request: Record<string, unknown>): Promise<string> {
  const { id } = (await call(engine, 'plans:create', request)) as { id: string };
  const s = await waitForState(engine, id, ['planned', 'failed']);
  if (s.error) throw new Error(`planning failed: ${s.error.message}`);
  return id;
}
