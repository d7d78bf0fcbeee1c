import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { isChannelName, isEventName } from '../../shared/contract';
import { CANCEL_CHANNEL, EVENT_CHANNEL } from './ipc-names';

type Callback = (payload: unknown) => void;
const listeners = new Map<string, Set<Callback>>();

// One ipcRenderer listener for all engine events; the page only ever sees the callbacks it registered.
ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const cb of listeners.get(name) ?? []) cb(payload);
});

/**
 * `window.skyferry`: the whole surface the sandboxed renderer has. Only contract channels and events pass;
 * ipcRenderer itself is never exposed.
 */
contextBridge.exposeInMainWorld('skyferry', {
  /** `callId`: the page's own number for this call, which `cancel` names to withdraw it. */
  invoke(channel: unknown, request: unknown, callId?: unknown): Promise<unknown> {
    if (!isChannelName(channel)) return Promise.reject(new Error(`Unknown channel ${String(channel).slice(0, 80)}`));
    return ipcRenderer.invoke(channel, request, typeof callId === 'number' ? callId : undefined);
  },
  /** Withdraws a call made with `callId`: the engine aborts its work. */
  cancel(callId: unknown): void {
    if (typeof callId === 'number') ipcRenderer.send(CANCEL_CHANNEL, callId);
  },
  on(event: unknown, callback: unknown): () => void {
    if (!isEventName(event) || typeof callback !== 'function') throw new Error(`Unknown event ${String(event).slice(0, 80)}`);
    const cb = callback as Callback;
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(cb);
    return () => {
      set.delete(cb);
    };
  },
  /** The path of a file the user dropped on the window (desktop drag and drop uploads from it). */
  pathForFile(file: unknown): string {
    // A File crosses the bridge from the page's world; anything else makes getPathForFile throw.
    try {
      return webUtils.getPathForFile(file as File);
    } catch {
      return '';
    }
  },
});
