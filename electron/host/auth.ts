import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Two credentials, both fresh per run:
 * - the token (printed in the URL) opens the engine: the WebSocket and the upload endpoint. The page keeps it in
 *   sessionStorage (scoped to this origin, port included) and sends it itself; it is never put in a cookie, because
 *   a browser sends 127.0.0.1's cookies to every port on 127.0.0.1, whoever listens there.
 * - the page key, in an HttpOnly cookie named after this server's port, opens only the page and its assets (the
 *   public build, no secret), so that a reload works once the token has left the address bar. Whatever server
 *   receives it gains nothing from it.
 */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Where a request carried the engine token: the URL (the first page load, the WebSocket) or a bearer header. */
export type TokenSource = 'query' | 'header' | null;

export function tokenSource(req: IncomingMessage, url: URL, token: string): TokenSource {
  const q = url.searchParams.get('token');
  if (q && same(q, token)) return 'query';
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && same(auth.slice('Bearer '.length).trim(), token)) return 'header';
  return null;
}

/** Named after the port, so that two servers on one machine never overwrite each other's page key. */
export function pageCookieName(port: number): string {
  return `skyferry_page_${port}`;
}

export function pageCookie(port: number, pageKey: string): string {
  return `${pageCookieName(port)}=${pageKey}; HttpOnly; SameSite=Strict; Path=/`;
}

export function hasPageKey(req: IncomingMessage, port: number, pageKey: string): boolean {
  const c = cookieValue(req, pageCookieName(port));
  return c !== undefined && same(c, pageKey);
}

/** The Host headers this server answers to: anything else is a DNS-rebinding attempt (a foreign name resolving to us). */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(port).has(host);
}

/** A WebSocket must come from the page this server served: its Origin is http://<the same host>. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin?.toLowerCase();
  const host = req.headers.host?.toLowerCase();
  if (!origin || !host || !allowedHosts(port).has(host)) return false;
  return origin === `http://${host}`;
}
