/**
 * The one Content-Security-Policy of the renderer, used by the served host (HTTP header) and by the desktop shell
 * (session header). No inline script, no eval, nothing from another origin: object names from a cloud are rendered
 * as text, and this makes sure that a slip there still runs no script.
 */
export function contentSecurityPolicy(options: { connectSrc?: string[] } = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src ${connect}`,
    "img-src 'self' data:",
    // Vite emits CSS as files; React's `style={…}` props go through the CSSOM, which CSP does not block.
    "style-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
