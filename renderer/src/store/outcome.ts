import { errorMessage } from '../api/client';
import type { AppState } from './index';

/** What a slice action that the user waits on answers: the value, or the sentence to show instead. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs an engine call and turns a failure into its message, so that components never see a thrown ClientError. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}

/** Runs an engine call the user asked for whose only answer is done or not; a failure is shown as an error toast. */
export async function orToast(get: () => AppState, call: () => Promise<unknown>): Promise<boolean> {
  const r = await attempt(call);
  if (!r.ok) get().toast('error', r.error);
  return r.ok;
}
