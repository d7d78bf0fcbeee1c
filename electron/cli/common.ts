import { statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { formatSize } from '../../shared/format';
import { localPathToUri } from '../../shared/location';
import { isSkyferryError } from '../../shared/errors';
import { createLogger } from '../engine/log';
import { DataDirBusyError } from '../host/data-dir';
import { openSession, type EngineStore, type Session } from './session';

const log = createLogger('cli');

/** What the process exits with; the root --help lists them. */
export const EXIT = {
  /** Everything asked was done (files the destination already had and were not to be replaced count as done). */
  ok: 0,
  /** Nothing or not enough was done: a bad argument, an unknown account, a refused run, a job that failed. */
  failed: 1,
  /** It ran, but not all of it succeeded: some files failed, the verification found differences, deletions wait. */
  partial: 2,
  /** Stopped by Ctrl-C or SIGTERM: the job is kept in the journal, `skyferry jobs resume ID` goes on with it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
}

/** What a verb gives back: its exit code, the value --json prints, and the lines a person reads. */
export interface Outcome {
  code: ExitCode;
  json: unknown;
  text: string[];
}

/** A verb's failure that is not the engine's: a message for the person, and exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Runs one verb against the engine: opens the store's data folder (refused while another process holds it), prints the
 * outcome (text on stdout, or one JSON document with --json), and exits with its code. Ctrl-C or SIGTERM closes
 * the engine, which journals running jobs as they stand, and exits 130.
 */
export async function runVerb(what: string, opts: GlobalOptions, store: EngineStore, verb: (s: Session, signal: AbortSignal) => Promise<Outcome>): Promise<never> {
  const controller = new AbortController();
  let session: Session | undefined;
  let code: number = EXIT.failed;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
    process.stderr.write(`\n${signal}: stopping; jobs are kept and \`skyferry jobs resume ID\` goes on with them.\n`);
    void (session?.close() ?? Promise.resolve()).finally(() => process.exit(EXIT.interrupted));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    session = await openSession(`skyferry ${what}`, store);
    const outcome = await verb(session, controller.signal);
    if (opts.json) process.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
    else if (!opts.quiet || outcome.code !== EXIT.ok) for (const line of outcome.text) process.stdout.write(`${line}\n`);
    code = outcome.code;
  } catch (e) {
    if (controller.signal.aborted) await new Promise(() => undefined);
    const message = describeError(e);
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: message }, null, 2)}\n`);
    process.stderr.write(`skyferry ${what}: ${message.message}\n`);
    code = EXIT.failed;
  }
  await session?.close().catch((e: unknown) => log.warn('closing the engine failed', e));
  // Pipes are asynchronous on some systems (macOS): let the output reach them before the process ends.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}

function describeError(e: unknown): { code: string; message: string } {
  if (isSkyferryError(e)) return e.toInfo();
  if (e instanceof DataDirBusyError) return { code: 'busy', message: e.message };
  if (e instanceof UsageError) return { code: 'invalid_input', message: e.message };
  log.error('unexpected error', e);
  return { code: 'fatal', message: e instanceof Error ? e.message : String(e) };
}

/**
 * A location as typed: a URI the app shows (`s3://account/bucket/key`, `file:///path`) as is, or a path on this
 * computer (`./photos`, `/srv/data`), which becomes a `file://` URI of the built-in local account. A folder that
 * exists gets its trailing '/' (its contents are what is meant), as does anything with `folder` set.
 */
export function toUri(arg: string, folder = false): string {
  if (/^[a-z][a-z0-9]*:\/\//.test(arg)) return folder && !arg.endsWith('/') ? `${arg}/` : arg;
  const abs = path.resolve(arg);
  let isDir = folder || /[\\/]$/.test(arg);
  if (!isDir) {
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      isDir = false;
    }
  }
  const uri = localPathToUri(abs, path.sep === '\\' ? 'win32' : 'posix');
  return isDir && !uri.endsWith('/') ? `${uri}/` : uri;
}

export function size(bytes: number): string {
  return formatSize(bytes);
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}

/** `3600`, `90s`, `15m`, `12h`, `7d` as seconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected seconds, or a number with s, m, h or d (15m, 12h, 7d)');
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Plain columns for a table on a terminal: each column as wide as its widest cell. */
export function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}
