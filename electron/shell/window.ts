import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, net, protocol, session, shell, type Session, type WebContents } from 'electron';
import { createLogger } from '../engine/log';
import type { Engine } from '../engine/dispatch';
import { contentSecurityPolicy } from '../host/csp';
import { parseRange, previewHeaders, previewId } from '../host/preview';
import { resolveStatic } from '../host/static';
import type { ExternalLinks } from './external-links';

const log = createLogger('shell.window');

/** The renderer is served from its own privileged scheme rather than file:// (Electron's security checklist). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'skyferry';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

const CSP = contentSecurityPolicy();

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** True for URLs of the app's own pages, and nothing else (no file://, no other host). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The bytes of a preview link at app://skyferry/preview/<id>, with the same headers as the served host's route. */
async function previewResponse(engine: Engine | null, id: string, request: Request): Promise<Response> {
  try {
    const body = engine?.openPreview ? await engine.openPreview(id, parseRange(request.headers.get('range') ?? undefined), request.signal) : null;
    if (!body) return new Response('This preview link has expired. Open the preview again.', { status: 404 });
    return new Response(Readable.toWeb(body.body) as ReadableStream<Uint8Array>, { status: body.partial ? 206 : 200, headers: previewHeaders(body) });
  } catch {
    return new Response('The preview could not be read.', { status: 416 });
  }
}

/**
 * Serves dist/renderer under app://skyferry/, confined to that folder, with the CSP on every response; and the
 * engine's preview links at /preview/<id> once `engine()` has one.
 */
export function serveAppProtocol(rendererDir: string, engine: () => Engine | null = () => null): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const preview = url.host === APP_HOST ? previewId(url.pathname) : null;
    if (preview) return previewResponse(engine(), preview, request);
    const file = url.host === APP_HOST ? resolveStatic(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
    if (file.endsWith('.js')) headers.set('content-type', 'text/javascript; charset=utf-8');
    return new Response(res.body, { status: res.status, headers });
  });
}

/** CSP on every response the session sees, and no permission (camera, notifications, …) is ever granted. */
export function hardenSession(ses: Session = session.defaultSession): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

function openIfAppMade(links: ExternalLinks, url: string): void {
  if (links.mayOpen(url)) shell.openExternal(url).catch((e: unknown) => log.warn('could not open link', e));
  else log.warn('refused to open a link the app did not make');
}

/**
 * Applies to every web contents the app ever creates: no navigation away, no new windows, no <webview>. A link is
 * handed to the OS browser only when the app made it (a share link the user asked for).
 */
export function hardenWebContents(contents: WebContents, links: ExternalLinks): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openIfAppMade(links, url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfAppMade(links, url);
    return { action: 'deny' };
  });
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'Skyferry',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.loadURL(APP_URL).catch((e: unknown) => log.error('could not load the renderer', e));
  return win;
}

/** dist/renderer, beside dist/electron where this bundle lives. */
export function rendererDir(): string {
  return path.join(__dirname, '..', 'renderer');
}

export function userDataDir(): string {
  return app.getPath('userData');
}
