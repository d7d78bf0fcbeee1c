import { z } from 'zod';
import { ErrorInfoSchema } from '../errors';

/** One request/response pair. Both sides parse with these schemas: `unknown` in, typed out. */
export interface ChannelDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
}

export function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res): ChannelDef<Req, Res> {
  return { request, response };
}

/** The envelope every handler returns across IPC or WebSocket (Signal's habit): never a thrown error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof ErrorInfoSchema> };

export const ResultEnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorInfoSchema }),
]);

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });
