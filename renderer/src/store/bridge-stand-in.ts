/**
 * A stand-in for the desktop preload bridge, for the slices' tests: it answers each channel as the test says and
 * delivers events the way the engine sends them, so what a test checks is what the slices ask and keep.
 */
export type Answer = (request: unknown) => unknown;

export interface BridgeStandIn {
  bridge: {
    invoke(channel: string, request: unknown): Promise<unknown>;
    on(event: string, cb: (payload: unknown) => void): () => void;
  };
  /** The answer per channel; a channel without one answers `unsupported`. */
  answers: Map<string, Answer>;
  /** Every request made, in order. */
  asked: Array<{ channel: string; request: unknown }>;
  emit(event: string, payload: unknown): void;
  /** Forgets every answer, request and listener. */
  reset(): void;
}

export function bridgeStandIn(): BridgeStandIn {
  const answers = new Map<string, Answer>();
  const asked: Array<{ channel: string; request: unknown }> = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    answers,
    asked,
    bridge: {
      invoke(channel, request) {
        asked.push({ channel, request });
        const answer = answers.get(channel);
        if (!answer) return Promise.resolve({ ok: false, error: { code: 'unsupported', message: `no answer for ${channel}` } });
        return Promise.resolve({ ok: true, value: answer(request) });
      },
      on(event, cb) {
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        set.add(cb);
        return () => set.delete(cb);
      },
    },
    emit(event, payload) {
      for (const cb of listeners.get(event) ?? []) cb(payload);
    },
    reset() {
      answers.clear();
      asked.length = 0;
      listeners.clear();
    },
  };
}
