import { beforeAll, describe, expect, it, vi } from 'vitest';

/** The desktop preload's bridge as the client uses it: each call's number, and what the page withdrew. */
const made: Array<{ channel: string; id: number | undefined; answer: (v: unknown) => void }> = [];
const withdrawn: number[] = [];
const bridge = {
  invoke: (channel: string, _request: unknown, id?: number) => new Promise<unknown>((answer) => made.push({ channel, id, answer })),
  cancel: (id: number) => void withdrawn.push(id),
  on: () => () => undefined,
};

let client: typeof import('./client');

beforeAll(async () => {
  vi.stubGlobal('window', { skyferry: bridge, location: { href: 'file:///index.html' } });
  client = await import('./client');
});

describe('the desktop client', () => {
  it('withdraws an abandoned call by its own number, so the engine stops its work', async () => {
    const controller = new AbortController();
    const listing = client.invoke('storage:list', { uri: 's3://a/b/', pageSize: 100 } as never, controller.signal);
    const other = client.invoke('accounts:list', {});
    expect(made.map((m) => m.channel)).toEqual(['storage:list', 'accounts:list']);
    const [first, second] = made;
    expect(first?.id).not.toBe(second?.id);
    controller.abort();
    await expect(listing).rejects.toMatchObject({ code: 'cancelled' });
    expect(withdrawn).toEqual([first?.id]);
    second?.answer({ ok: true, value: [] });
    await expect(other).resolves.toEqual([]);
    expect(withdrawn).toEqual([first?.id]);
  });
});
