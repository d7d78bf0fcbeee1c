import type { WebSocket } from 'ws';
import { ClientMessageSchema, type ServerMessage } from '../../shared/contract/wire';
import type { Engine } from '../engine/dispatch';
import { createLogger } from '../engine/log';

const log = createLogger('host.ws');

/**
 * One browser tab's socket: each `invoke` runs through `engine.invoke` with its own AbortController (a `cancel`
 * aborts it; closing the tab aborts all), and engine events are pushed as they come.
 */
export function bridgeSocket(socket: WebSocket, engine: Engine): void {
  const inFlight = new Map<number, AbortController>();
  const send = (msg: ServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
  };
  const unsubscribe = engine.subscribe((event, payload) => send({ type: 'event', event, payload }));

  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      log.debug('dropped a message that is not JSON');
      return;
    }
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log.debug('dropped a message that is not a ClientMessage');
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'cancel') {
      inFlight.get(msg.id)?.abort();
      return;
    }
    if (inFlight.has(msg.id)) {
      send({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'invalid_input', message: `Request id ${msg.id} is already in use.` } } });
      return;
    }
    const controller = new AbortController();
    inFlight.set(msg.id, controller);
    engine
      .invoke(msg.channel, msg.request, controller.signal)
      .then((result) => send({ type: 'result', id: msg.id, result }))
      .catch((e: unknown) => {
        // engine.invoke returns envelopes; a throw here is a bug, reported without detail to the page.
        log.error(`invoke ${msg.channel} threw`, e);
        send({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'fatal', message: 'Skyferry failed unexpectedly; see its log.' } } });
      })
      .finally(() => inFlight.delete(msg.id));
  });

  socket.on('close', () => {
    unsubscribe();
    for (const c of inFlight.values()) c.abort();
    inFlight.clear();
  });
  socket.on('error', (e) => log.debug('socket error', e));
}
