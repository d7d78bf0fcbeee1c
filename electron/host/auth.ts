import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'skyferry_token';

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

/** Where a request carried the token: the page URL (first load), the HttpOnly cookie, or a bearer header. */
export type TokenSource = 'query' | 'cookie' | 'header' | null;

export function tokenSource(req: IncomingMessage, url: URL, token: string): TokenSource {
  const q = url.searchParams.get('token');
  if (q && same(q, token)) return 'query';
  const c = cookieValue(req, TOKEN_COOKIE);
  if (c && same(c, token)) return 'cookie';
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && same(auth.slice('Bearer '.length).trim(), token)) return 'header';
  return null;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
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
