import { z } from 'zod';
import { ResultEnvelopeSchema } from './define';

/**
 * The browser-served mode speaks the same contract over one WebSocket (`/ws?token=…`). Desktop uses IPC with the
 * same channels and envelopes; only this framing differs.
 */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invoke'), id: z.number().int(), channel: z.string(), request: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), result: ResultEnvelopeSchema }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
