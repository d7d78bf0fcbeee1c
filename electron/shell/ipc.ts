import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { channels, type Result } from '../../shared/contract';
import { dispatchTo, type Engine } from '../engine/dispatch';
import { createLogger } from '../engine/log';
import type { ExternalLinks } from './external-links';
import { InFlight } from './in-flight';
import { CANCEL_CHANNEL, EVENT_CHANNEL } from './ipc-names';
import { isNativeDialogChannel, nativeDialogHandlers } from './native-dialogs';
import { isAppUrl } from './window';

const log = createLogger('shell.ipc');

const refused: Result<unknown> = { ok: false, error: { code: 'access_denied', message: 'This request did not come from the Skyferry window.' } };

/**
 * VS Code's rule: a request counts only from the app's own window, from its top frame, showing the app's own page.
 * A frame that navigated elsewhere (or an iframe) gets nothing.
 */
function fromAppWindow(event: IpcMainInvokeEvent, window: () => BrowserWindow | null): boolean {
  const win = window();
  const frame = event.senderFrame;
  if (!win || win.isDestroyed() || !frame) return false;
  return event.sender === win.webContents && frame === win.webContents.mainFrame && isAppUrl(frame.url);
}

/**
 * One `ipcMain.handle` per contract channel, each through `engine.invoke` (the native dialogs excepted: the shell
 * answers those itself, through the same parse and envelope); a call the page withdraws (its id on CANCEL_CHANNEL)
 * is aborted, and all of a page's calls when it goes away. Share links
 * the engine makes are noted in `links`, the only URLs the shell will open outside the app.
 */
export function registerIpc(engine: Engine, window: () => BrowserWindow | null, links: ExternalLinks): () => void {
  const inFlight = new InFlight<WebContents>();
  const names = Object.keys(channels);
  for (const name of names) {
    ipcMain.handle(name, async (event, request: unknown, callId: unknown) => {
      if (!fromAppWindow(event, window)) {
        log.warn(`refused ${name} from a frame that is not the app's window`);
        return refused;
      }
      const call = inFlight.start(event.sender, typeof callId === 'number' && Number.isSafeInteger(callId) ? callId : undefined);
      if (call.isNewPage) {
        const sender = event.sender;
        // A reload or a crash orphans every call the old page made.
        sender.once('destroyed', () => inFlight.abortAll(sender, true));
        sender.on('did-start-navigation', (details) => {
          if (details.isMainFrame && !details.isSameDocument) inFlight.abortAll(sender);
        });
      }
      try {
        if (isNativeDialogChannel(name)) {
          const handlers = nativeDialogHandlers(BrowserWindow.fromWebContents(event.sender));
          return await dispatchTo(name, handlers[name], request, call.signal);
        }
        const result = await engine.invoke(name, request, call.signal);
        links.noteResult(name, result);
        return result;
      } finally {
        call.done();
      }
    });
  }
  const onCancel = (event: IpcMainEvent, callId: unknown): void => {
    if (typeof callId === 'number') inFlight.cancel(event.sender, callId);
  };
  ipcMain.on(CANCEL_CHANNEL, onCancel);
  const unsubscribe = engine.subscribe((event, payload) => {
    const win = window();
    if (win && !win.isDestroyed() && isAppUrl(win.webContents.getURL())) win.webContents.send(EVENT_CHANNEL, event, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.off(CANCEL_CHANNEL, onCancel);
    for (const name of names) ipcMain.removeHandler(name);
  };
}
