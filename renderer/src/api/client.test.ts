import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientMessage } from '../../../shared/contract/wire';

/** The browser's WebSocket as the client uses it: listeners, send, and a way for the test to play the host. */
class FakeSocket {
  static current: FakeSocket | null = null;
  readonly sent: ClientMessage[] = [];
  private readonly listeners = new Map<string, Array<(ev: { data?: unknown }) => void>>();

  constructor(readonly url: string) {
    FakeSocket.current = this;
  }

  addEventListener(type: string, cb: (ev: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), cb]);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  emit(type: 'open' | 'message', data?: unknown): void {
    for (const cb of this.listeners.get(type) ?? []) cb(data === undefined ? {} : { data: JSON.stringify(data) });
  }
}

let client: typeof import('./client');
const socket = (): FakeSocket => {
  if (!FakeSocket.current) throw new Error('the client opened no socket');
  return FakeSocket.current;
};
const invokes = (): Array<Extract<ClientMessage, { type: 'invoke' }>> => socket().sent.filter((m) => m.type === 'invoke');
const lastInvokeId = (): number => invokes().at(-1)?.id ?? -1;

beforeAll(async () => {
  // The page as the served host opens it: the token in the address, which the client keeps and takes out.
  const stored = new Map<string, string>();
  const location = { protocol: 'http:', host: '127.0.0.1:9', href: 'http://127.0.0.1:9/?token=t0ken', search: '?token=t0ken' };
  const history = {
    state: null,
    replaceState: (_state: unknown, _title: string, url: string) => {
      location.href = `http://127.0.0.1:9${url}`;
      location.search = new URL(location.href).search;
    },
  };
  vi.stubGlobal('window', { location, history, setTimeout: () => 0 });
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) });
  vi.stubGlobal('WebSocket', FakeSocket);
  client = await import('./client');
  client.onConnectionStatus(() => undefined);
  socket().emit('open');
});

describe('the served-mode client', () => {
  it('answers a call with the parsed response', async () => {
    const call = client.invoke('accounts:list', {});
    socket().emit('message', { type: 'result', id: lastInvokeId(), result: { ok: true, value: [] } });
    await expect(call).resolves.toEqual([]);
  });

  it('withdraws an abandoned call: the host is sent a cancel for it, and its late answer is ignored', async () => {
    const controller = new AbortController();
    const call = client.invoke('objects:list', { uri: 's3://a/b/', pageSize: 1000 }, controller.signal);
    const id = lastInvokeId();
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(socket().sent.at(-1)).toEqual({ type: 'cancel', id });
    socket().emit('message', { type: 'result', id, result: { ok: false, error: { code: 'cancelled', message: 'Cancelled' } } });
    // The next call still gets its own answer.
    const next = client.invoke('accounts:list', {});
    socket().emit('message', { type: 'result', id: lastInvokeId(), result: { ok: true, value: [] } });
    await expect(next).resolves.toEqual([]);
  });

  it('sends nothing for a call abandoned before it was made', async () => {
    const before = socket().sent.length;
    const call = client.invoke('accounts:list', {}, AbortSignal.abort());
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(socket().sent).toHaveLength(before);
  });

  it('sends no cancel after the answer came', async () => {
    const controller = new AbortController();
    const call = client.invoke('accounts:list', {}, controller.signal);
    socket().emit('message', { type: 'result', id: lastInvokeId(), result: { ok: true, value: [] } });
    await expect(call).resolves.toEqual([]);
    const before = socket().sent.length;
    controller.abort();
    expect(socket().sent).toHaveLength(before);
  });
});
