import type { ObjectEntry } from '../../shared/model';
import { parseLocation } from '../../shared/location';
import { columns, EXIT, size, UsageError, type GlobalOptions, type Outcome } from './common';
import type { Session } from './session';

const SCHEME = { s3: 's3', gcs: 'gs', azure: 'az', local: 'file' } as const;

export async function listAccounts(s: Session): Promise<Outcome> {
  const accounts = await s.call('accounts:list', {});
  const rows = accounts.map(({ settings, hasSecrets }) => {
    const where = 'endpoint' in settings && settings.endpoint ? settings.endpoint : 'region' in settings && settings.region ? settings.region : 'root' in settings ? settings.root : '';
    return [settings.name, settings.kind, `${SCHEME[settings.kind]}://${settings.name}/`, String(where ?? ''), hasSecrets ? 'yes' : 'no'];
  });
  // Settings only: the account store never hands a secret out, and --json prints what the engine answered.
  return { code: EXIT.ok, json: accounts, text: accounts.length ? columns([['NAME', 'KIND', 'URI', 'WHERE', 'SECRETS'], ...rows]) : ['no accounts: add one in the app'] };
}

export interface LsOptions extends GlobalOptions {
  recursive?: boolean;
  long?: boolean;
  max?: number;
}

/** `ls`: the accounts, an account's buckets, or the objects under a prefix (folders end in '/'). */
export async function ls(s: Session, uri: string | undefined, opts: LsOptions): Promise<Outcome> {
  if (!uri) return listAccounts(s);
  const loc = parseLocation(uri);
  if (!loc.bucket) {
    const buckets = await s.call('buckets:list', { account: loc.account });
    const rows = buckets.map((b) => (opts.long ? [b.created ?? '-', b.region ?? '-', `${b.name}/`] : [`${b.name}/`]));
    return { code: EXIT.ok, json: buckets, text: columns(rows) };
  }
  const entries: ObjectEntry[] = [];
  const max = opts.max ?? Infinity;
  let cursor: string | undefined;
  let truncated = false;
  do {
    const page = await s.call('objects:list', { uri, ...(cursor ? { cursor } : {}), pageSize: 1000, delimited: !opts.recursive });
    entries.push(...page.entries);
    cursor = page.cursor;
    if (entries.length >= max) {
      truncated = cursor !== undefined || entries.length > max;
      entries.length = Math.min(entries.length, max);
      break;
    }
  } while (cursor);
  const rows = entries.map((e) => {
    const name = opts.recursive ? e.key : e.isPrefix ? e.name.replace(/\/?$/, '/') : e.name;
    return opts.long ? [e.isPrefix ? 'DIR' : String(e.size), e.modified ?? '-', e.storageClass ?? '-', name] : [name];
  });
  const text = columns(rows);
  if (truncated) text.push(`... (first ${max} shown)`);
  return { code: EXIT.ok, json: { entries, truncated }, text };
}

export async function presign(s: Session, uri: string, expiresSeconds: number): Promise<Outcome> {
  if (uri.endsWith('/')) throw new UsageError(`${uri} is a folder: a signed link is for one object`);
  const link = await s.call('objects:presign', { uri, expiresSeconds });
  return { code: EXIT.ok, json: link, text: [link.url, `expires ${link.expires}`] };
}

/** `costs scan`: every object under a location counted once, and what keeping them costs a month. */
export async function costScan(s: Session, uri: string, opts: GlobalOptions, signal: AbortSignal): Promise<Outcome> {
  const { id } = await s.call('costs:scan', { uri });
  const tty = process.stderr.isTTY && !opts.json && !opts.quiet;
  const off = s.on('costs:scanProgress', (p) => {
    if (p.id === id && tty) process.stderr.write(`\rscanned ${p.objects} objects, ${size(p.bytes)}   `);
  });
  try {
    for (;;) {
      if (signal.aborted) {
        await s.call('costs:cancelScan', { id });
        throw new UsageError('interrupted');
      }
      const result = await s.call('costs:scanResult', { id });
      if (result.state !== 'running') {
        if (tty) process.stderr.write('\n');
        if (result.state !== 'done' || !result.totals) {
          return { code: EXIT.failed, json: result, text: [`scan ${result.state}: ${result.error?.message ?? 'no totals'}`] };
        }
        const t = result.totals;
        const text = [
          `${uri}: ${t.objects} objects, ${size(t.bytes)}`,
          ...Object.entries(t.byClass).map(([cls, v]) => `  ${cls}: ${v.count} objects, ${size(v.bytes)}`),
        ];
        if (result.keeping) {
          text.push(`keeping them: $${result.keeping.monthlyUsd.toFixed(2)} a month (${result.pricing.provider} ${result.pricing.region})`);
          for (const note of result.keeping.notes) text.push(`  note: ${note}`);
        }
        return { code: EXIT.ok, json: result, text };
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    off();
  }
}
