import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/** The entra slice against a stand-in for the preload bridge that answers channels and delivers engine events. */
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let onSignIn: () => unknown = () => ({});
const bridge = {
  invoke(channel: string): Promise<unknown> {
    if (channel === 'entra:signIn') return Promise.resolve({ ok: true, value: onSignIn() });
    return Promise.resolve({ ok: false, error: { code: 'unsupported', message: `no answer for ${channel}` } });
  },
  on(event: string, cb: (payload: unknown) => void): () => void {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(cb);
    return () => set.delete(cb);
  },
};
const emit = (event: string, payload: unknown): void => {
  for (const cb of listeners.get(event) ?? []) cb(payload);
};
const PROMPT = { userCode: 'ABCD-EFGH', verificationUri: 'https://microsoft.com/devicelogin', message: 'To sign in, open https://microsoft.com/devicelogin and enter ABCD-EFGH.' };

let store: typeof import('./index');
let entra: typeof import('./entra.slice');
let initial: ReturnType<(typeof import('./index'))['useStore']['getState']>;

beforeAll(async () => {
  vi.stubGlobal('window', { skyferry: bridge });
  store = await import('./index');
  entra = await import('./entra.slice');
  initial = store.useStore.getState();
});
beforeEach(() => store.useStore.setState(initial, true));

describe('the entra slice', () => {
  it('shows the device code while the dialog signs in, and clears it after', async () => {
    const off = entra.subscribeEntra(store.useStore.getState);
    let seen: unknown = null;
    onSignIn = () => {
      emit('entra:deviceCode', PROMPT);
      seen = store.useStore.getState().entraPrompt;
      return { identity: { credential: 'deviceCode' }, subscriptions: [] };
    };
    const out = await store.useStore.getState().entraSignIn({ credential: 'auto' });
    off();
    expect(seen).toEqual(PROMPT);
    expect(out).toEqual({ ok: true, value: { identity: { credential: 'deviceCode' }, subscriptions: [] } });
    expect(store.useStore.getState().entraPrompt).toBeNull();
    expect(store.useStore.getState().toasts).toEqual([]);
  });

  it('keeps a device code that a browse or job asked for until its sign-in ends', () => {
    const off = entra.subscribeEntra(store.useStore.getState);
    emit('entra:deviceCode', PROMPT);
    expect(store.useStore.getState().entraPrompt).toEqual(PROMPT);
    expect(store.useStore.getState().entraSigningIn).toBe(false);
    emit('entra:deviceCodeDone', { ok: true });
    off();
    expect(store.useStore.getState().entraPrompt).toBeNull();
  });
});
