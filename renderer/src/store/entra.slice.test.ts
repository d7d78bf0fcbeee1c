import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bridgeStandIn } from './bridge-stand-in';

/** The entra slice against a stand-in for the preload bridge (bridge-stand-in.ts). */
const { bridge, answers, emit } = bridgeStandIn();
let onSignIn: () => unknown = () => ({});
answers.set('entra:signIn', () => onSignIn());
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
