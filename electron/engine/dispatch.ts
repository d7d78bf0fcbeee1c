import {
  channels,
  isChannelName,
  type ChannelName,
  type ChannelRequestParsed,
  type ChannelResponse,
  type EventName,
  type EventPayload,
  type Result,
} from '../../shared/contract';
import { InvalidInputError, toErrorInfo } from '../../shared/errors';
import type { Readable } from 'node:stream';
import { createLogger } from './log';
import { strictRequest } from './strict-request';

const log = createLogger('dispatch');

export interface HandlerContext {
  signal: AbortSignal;
}

export type Handler<C extends ChannelName> = (request: ChannelRequestParsed<C>, ctx: HandlerContext) => Promise<ChannelResponse<C>>;
export type Handlers = { [C in ChannelName]: Handler<C> };

/**
 * The one entry to the engine, used by the desktop IPC and the served WebSocket alike: refuses unknown channels,
 * parses the request with the contract (`unknown` in, typed out; a field the contract does not define is refused,
 * not dropped), and returns the result envelope with a
 * `{ code, message }` error that carries no stack and no secret.
 */
export async function dispatch(handlers: Handlers, channel: unknown, request: unknown, signal: AbortSignal): Promise<Result<unknown>> {
  if (!isChannelName(channel)) {
    return { ok: false, error: { code: 'invalid_input', message: `Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
  }
  return dispatchTo(channel, handlers[channel], request, signal);
}

/**
 * The same door for one known channel and its handler: the desktop shell serves its native dialogs through it, so
 * they get the very parse and envelope every engine channel gets.
 */
export async function dispatchTo<C extends ChannelName>(channel: C, handler: Handler<C>, request: unknown, signal: AbortSignal): Promise<Result<unknown>> {
  const parsed = requestSchema(channel).safeParse(request ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    return { ok: false, error: new InvalidInputError(`Invalid request for ${channel}${where}: ${first?.message ?? 'malformed'}`).toInfo() };
  }
  try {
    const value = await (handler as (req: unknown, ctx: HandlerContext) => Promise<unknown>)(parsed.data, { signal });
    return { ok: true, value };
  } catch (e) {
    const info = toErrorInfo(e);
    if (info.code === 'fatal') log.error(`${channel} failed`, e);
    else log.debug(`${channel}: ${info.code}: ${info.message}`);
    return { ok: false, error: info };
  }
}

const strictSchemas = new Map<ChannelName, (typeof channels)[ChannelName]['request']>();

/** The channel's request schema with every object strict (see strict-request.ts), made once per channel. */
function requestSchema(channel: ChannelName): (typeof channels)[ChannelName]['request'] {
  let schema = strictSchemas.get(channel);
  if (!schema) {
    schema = strictRequest(channels[channel].request);
    strictSchemas.set(channel, schema);
  }
  return schema;
}

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** A byte range asked of a preview link: `end` inclusive, absent for "to the end". */
export interface ByteRange {
  start: number;
  end?: number;
}

/** The bytes behind a preview link (`objects:preview`), as the shells serve them at `/preview/<id>`. */
export interface PreviewBody {
  body: Readable;
  contentType: string;
  /** First and last byte served (inclusive) and the object's whole size. */
  start: number;
  end: number;
  total: number;
  /** True when the range asked for was honoured (a 206 answer). */
  partial: boolean;
  /** PDF is shown by the browser's own viewer, which a sandboxed response would block. */
  pdf: boolean;
}

/** The engine as the shells see it: the desktop IPC and the served WebSocket both call only this. */
export interface Engine {
  invoke(channel: unknown, request: unknown, signal?: AbortSignal): Promise<Result<unknown>>;
  /**
   * The bytes of a live preview link (id from `objects:preview`); null when the id is unknown or expired. A range
   * past the end is an InvalidInputError.
   */
  openPreview?(id: string, range: ByteRange | undefined, signal: AbortSignal): Promise<PreviewBody | null>;
  /** Events pushed to every connected renderer. Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  close(): Promise<void>;
}
