import type { Result } from '../../shared/contract';

/** How many share links are remembered; the oldest are forgotten first. */
const MAX_LINKS = 200;

/**
 * The links the shell may hand to the OS browser (`shell.openExternal`): only those the app made for the user, the
 * share links `objects:presign` returned, each until it expires, compared byte for byte. Any other URL a page
 * navigates to or opens (a link in a cloud's error text, a script that got in) stays closed: the OS would open it
 * with the user's default browser and its cookies, and some schemes run programs.
 * Kept free of `electron` so it is unit-tested in plain Node; the window and the IPC registration call it.
 */
export class ExternalLinks {
  private readonly links = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Called with every answer the shell relays; remembers the link of a successful `objects:presign`. */
  noteResult(channel: string, result: Result<unknown>): void {
    if (channel !== 'objects:presign' || !result.ok) return;
    const value = result.value;
    if (typeof value !== 'object' || value === null || !('url' in value) || typeof value.url !== 'string') return;
    const expires = 'expires' in value && typeof value.expires === 'string' ? Date.parse(value.expires) : Number.NaN;
    this.remember(value.url, Number.isFinite(expires) ? expires : this.now());
  }

  remember(url: string, expiresAt: number): void {
    if (!isWebUrl(url)) return;
    this.links.delete(url);
    this.links.set(url, expiresAt);
    for (const oldest of this.links.keys()) {
      if (this.links.size <= MAX_LINKS) break;
      this.links.delete(oldest);
    }
  }

  /** True only for a link the app made that has not expired. */
  mayOpen(url: string): boolean {
    const expiresAt = this.links.get(url);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.now()) {
      this.links.delete(url);
      return false;
    }
    return isWebUrl(url);
  }
}

function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
