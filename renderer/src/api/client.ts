import {
  channels,
  events,
  ResultEnvelopeSchema,
  type ChannelName,
  type ChannelRequest,
  type ChannelResponse,
  type EventName,
  type EventPayload,
} from '../../../shared/contract';
import { ServerMessageSchema, type ClientMessage } from '../../../shared/contract/wire';
import type { ErrorCode, ErrorInfo } from '../../../shared/errors';

/** What the desktop preload exposes (contextBridge): only contract channels and events. */
export interface SkyferryBridge {
  invoke(channel: string, request: unknown, callId?: number): Promise<unknown>;
  /** Withdraws the call made with `callId` (the engine aborts its work); absent in an older preload. */
  cancel?: (callId: number) => void;
  on(event: string, callback: (payload: unknown) => void): () => void;
  /** Desktop only: the file-system path of a dropped File (Electron's webUtils.getPathForFile). */
  pathForFile?: (file: File) => string;
}

declare global {
  interface Window {
    skyferry?: SkyferryBridge;
  }
}

/** An error envelope from the engine, or a transport failure, as something a component can show. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  static from(info: ErrorInfo): ClientError {
    return new ClientError(info.code, info.message);
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof ClientError) return e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}

interface Transport {
  /** `signal`: the caller no longer wants the answer; the call rejects with a `cancelled` ClientError. */
  invoke(channel: string, request: unknown, signal?: AbortSignal): Promise<unknown>;
  on(event: string, callback: (payload: unknown) => void): () => void;
}

function cancelled(): ClientError {
  return new ClientError('cancelled', 'Cancelled.');
}

/**
 * The desktop preload's bridge. Each call carries its own number; an abandoned call is withdrawn by that number, so
 * the main process aborts its work in the engine (and all of a page's calls when the page goes away).
 */
class BridgeTransport implements Transport {
  private nextId = 1;

  constructor(private readonly bridge: SkyferryBridge) {}

  invoke(channel: string, request: unknown, signal?: AbortSignal): Promise<unknown> {
    const id = this.nextId++;
    if (!signal) return this.bridge.invoke(channel, request, id);
    if (signal.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.bridge.cancel?.(id);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.bridge.invoke(channel, request, id).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  on(event: string, callback: (payload: unknown) => void): () => void {
    return this.bridge.on(event, callback);
  }
}

const TOKEN_KEY = 'skyferry.token';

/**
 * The served host prints a URL with a per-run token. The page keeps it in sessionStorage (this origin and tab only)
 * for the socket and the upload endpoint, and takes it out of the address bar at once, so that it stays out of the
 * history, bookmarks and screen shares. A reload finds it in sessionStorage.
 */
export function sessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

// Before anything else runs: the token leaves the address bar as the page starts (the desktop has none).
if (typeof window !== 'undefined' && !window.skyferry) sessionToken();

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/**
 * The contract over one WebSocket on the page's own origin. Reconnects with backoff; calls made while the socket
 * is down wait for it (a listing should not fail because the host restarted a moment ago). An abandoned call is
 * withdrawn: a `cancel` message makes the host abort its work (a long listing stops paging the cloud).
 */
class SocketTransport implements Transport {
  private socket: WebSocket | null = null;
  private open = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: ClientMessage[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private retryMs = 250;
  onStatus: (connected: boolean) => void = () => undefined;

  constructor() {
    // A tab opened without the printed URL has no token: the host would refuse the socket, so do not knock.
    if (sessionToken()) this.connect();
  }

  private url(): string {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const token = sessionToken();
    return `${scheme}://${window.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  }

  private connect(): void {
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.open = true;
      this.retryMs = 250;
      this.onStatus(true);
      for (const msg of this.queue.splice(0)) socket.send(JSON.stringify(msg));
    });
    socket.addEventListener('message', (ev: MessageEvent<unknown>) => {
      if (typeof ev.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(ev.data);
      } catch {
        return;
      }
      const parsed = ServerMessageSchema.safeParse(raw);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'result') {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.result);
      } else {
        for (const cb of this.listeners.get(msg.event) ?? []) cb(msg.payload);
      }
    });
    socket.addEventListener('close', () => {
      const wasOpen = this.open;
      this.open = false;
      this.socket = null;
      if (wasOpen) this.onStatus(false);
      // Calls in flight are lost with the socket: fail them clearly rather than hang.
      for (const p of this.pending.values()) p.reject(new ClientError('retryable', 'The connection to Skyferry was lost; try again.'));
      this.pending.clear();
      window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    });
  }

  invoke(channel: string, request: unknown, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (!sessionToken()) return Promise.reject(new ClientError('access_denied', 'This tab has no Skyferry session: open Skyferry with the URL it printed.'));
    const id = this.nextId++;
    const msg: ClientMessage = { type: 'invoke', id, channel, request };
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return;
        const queued = this.queue.indexOf(msg);
        if (queued >= 0) this.queue.splice(queued, 1);
        else this.send({ type: 'cancel', id });
        reject(cancelled());
      };
      const settle = <T>(done: (v: T) => void) => (v: T): void => {
        signal?.removeEventListener('abort', onAbort);
        done(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send(msg);
    });
  }

  /** Sends now, or once the socket is (re)opened. */
  private send(msg: ClientMessage): void {
    if (this.open && this.socket) this.socket.send(JSON.stringify(msg));
    else this.queue.push(msg);
  }

  on(event: string, callback: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(callback);
    return () => set.delete(callback);
  }
}

let transport: Transport | null = null;
let socketTransport: SocketTransport | null = null;

function getTransport(): Transport {
  if (transport) return transport;
  if (window.skyferry) {
    transport = new BridgeTransport(window.skyferry);
  } else {
    socketTransport = new SocketTransport();
    transport = socketTransport;
  }
  return transport;
}

export function onConnectionStatus(cb: (connected: boolean) => void): void {
  getTransport();
  if (socketTransport) socketTransport.onStatus = cb;
}

export function isDesktop(): boolean {
  return window.skyferry !== undefined;
}

/**
 * Calls a contract channel; resolves with the parsed response or throws a ClientError with the engine's message.
 * Aborting `signal` (the user navigated away from what asked) rejects at once with a `cancelled` ClientError and
 * stops the engine's work on it (desktop and served mode alike).
 */
export async function invoke<C extends ChannelName>(channel: C, request: ChannelRequest<C>, signal?: AbortSignal): Promise<ChannelResponse<C>> {
  const raw = await getTransport().invoke(channel, request, signal);
  const envelope = ResultEnvelopeSchema.safeParse(raw);
  if (!envelope.success) throw new ClientError('fatal', `Skyferry sent a malformed answer to ${channel}.`);
  if (!envelope.data.ok) throw ClientError.from(envelope.data.error);
  const value = channels[channel].response.safeParse(envelope.data.value);
  if (!value.success) throw new ClientError('fatal', `Skyferry sent an unexpected answer to ${channel}.`);
  return value.data as ChannelResponse<C>;
}

/** Subscribes to an engine event; payloads that do not match the contract are dropped. */
export function on<E extends EventName>(event: E, callback: (payload: EventPayload<E>) => void): () => void {
  return getTransport().on(event, (payload) => {
    const parsed = events[event].safeParse(payload);
    if (parsed.success) callback(parsed.data as EventPayload<E>);
  });
}

/** Served mode: streams a browser File to the host's staging folder; returns the staged file:// URI. */
export async function stageUpload(file: File, relativePath: string, signal?: AbortSignal): Promise<string> {
  const token = sessionToken();
  const params = new URLSearchParams({ path: relativePath });
  const res = await fetch(`/api/upload?${params.toString()}`, {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: signal ?? null,
  });
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const parsed = ResultEnvelopeSchema.safeParse(body);
    if (parsed.success && !parsed.data.ok) throw ClientError.from(parsed.data.error);
    throw new ClientError('fatal', `Uploading ${relativePath} failed (HTTP ${res.status}).`);
  }
  if (body && typeof body === 'object' && 'stagedUri' in body && typeof body.stagedUri === 'string') return body.stagedUri;
  throw new ClientError('fatal', `Uploading ${relativePath} failed: the host gave no staged location.`);
}
