import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from '../../../../shared/contract';
import { AccessDeniedError, NotFoundError } from '../../../../shared/errors';
import type { MfaCodeSource } from '../../providers/factory';

type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * Asks the user for MFA codes through the renderer: the engine emits `accounts:mfaPrompt`, a window shows it, and
 * the user's code comes back on `accounts:mfaCode`. The SDK asks when it assumes the role: on the first request of
 * a browse or a job, and again when the role's credentials near their end during a long job, which then waits for
 * the code (its requests hold, nothing fails) until it is given, cancelled or the prompt times out.
 */
export interface MfaBroker {
  ask: MfaCodeSource;
  /** The user's answer (no code: cancelled). A NotFoundError for a prompt that is no longer waiting. */
  answer(id: string, code: string | undefined): void;
}

interface Waiting {
  resolve(code: string): void;
  reject(err: Error): void;
  key: string;
  promise: Promise<string>;
}

export function createMfaBroker(emit: Emit, timeoutMs = 5 * 60_000): MfaBroker {
  const waiting = new Map<string, Waiting>();

  const finish = (id: string): Waiting | undefined => {
    const w = waiting.get(id);
    if (!w) return undefined;
    waiting.delete(id);
    emit('accounts:mfaDone', { id });
    return w;
  };

  return {
    ask({ account, profile, serial }) {
      // Parallel requests of one account that need the same device share one prompt.
      const key = `${account}\n${profile}\n${serial}`;
      for (const w of waiting.values()) if (w.key === key) return w.promise;
      const id = randomUUID();
      let resolve!: (code: string) => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<string>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const timer = setTimeout(() => {
        finish(id)?.reject(new AccessDeniedError(`No MFA code was entered for ${account} (AWS profile "${profile}") in time: try again`));
      }, timeoutMs);
      timer.unref?.();
      const entry: Waiting = {
        key,
        promise,
        resolve: (code) => {
          clearTimeout(timer);
          resolve(code);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      waiting.set(id, entry);
      emit('accounts:mfaPrompt', { id, account, profile, serial });
      return promise;
    },

    answer(id, code) {
      const w = finish(id);
      if (!w) throw new NotFoundError('That MFA prompt is no longer waiting (it was answered elsewhere or timed out)');
      if (code) w.resolve(code);
      else w.reject(new AccessDeniedError('The MFA code was not entered: the role was not assumed'));
    },
  };
}
