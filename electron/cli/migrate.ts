import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompareMode, MigrationRequestInput, MigrationState, MigrationSummary } from '../../shared/contract';
import { EXIT, size, UsageError, type ExitCode, type GlobalOptions, type Outcome } from './common';
import { createProgress } from './progress';
import type { Session } from './session';

export interface PlanRunOptions extends GlobalOptions {
  dryRun?: boolean;
  /** Go on with mirror deletions above the profile's cap instead of stopping before them. */
  confirmDeletions?: boolean;
}

const ENDED: readonly MigrationState[] = ['completed', 'completed-with-differences', 'failed', 'cancelled'];

/** `migrate --profile NAME|FILE`: a saved profile, or a YAML profile file (read and checked, not saved). */
export async function migrate(s: Session, profile: string, opts: PlanRunOptions, signal: AbortSignal): Promise<Outcome> {
  const request = await profileRequest(s, profile);
  return planAndRun(s, request.request, request.name, opts, signal);
}

async function profileRequest(s: Session, profile: string): Promise<{ name: string; request: MigrationRequestInput }> {
  if (/\.ya?ml$/i.test(profile) || profile.includes('/') || profile.includes(path.sep)) {
    let text: string;
    try {
      text = await readFile(profile, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read the profile file ${profile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const read = await s.call('profiles:importYaml', { text, fileName: path.basename(profile), save: false });
    return { name: read.name, request: read.request };
  }
  const saved = (await s.call('profiles:list', {})).find((p) => p.name === profile);
  if (!saved) throw new UsageError(`There is no migration profile named "${profile}" (a file path ends in .yaml)`);
  return saved;
}

export interface SyncOptions extends PlanRunOptions {
  maxDelete: number;
  compare: CompareMode;
  include?: string[];
  exclude?: string[];
  quarantine?: string;
}

/**
 * `sync SRC DST`: the destination made like the source (rclone's sync) by a mirror migration: a plan first (shown),
 * then copies of what is new or changed, then deletions of what the source does not have, at most --max-delete of
 * them: a plan with more is refused before anything is written.
 */
export async function sync(s: Session, source: string, destination: string, opts: SyncOptions, signal: AbortSignal): Promise<Outcome> {
  const request: MigrationRequestInput = {
    source,
    destinations: [destination],
    mode: 'mirror',
    compare: opts.compare,
    filters: { ...(opts.include?.length ? { include: opts.include } : {}), ...(opts.exclude?.length ? { exclude: opts.exclude } : {}) },
    deletions: { enabled: true, maxCount: opts.maxDelete, ...(opts.quarantine ? { quarantinePrefix: opts.quarantine } : {}) },
  };
  return planAndRun(s, request, undefined, opts, signal, opts.maxDelete);
}

async function planAndRun(s: Session, request: MigrationRequestInput, name: string | undefined, opts: PlanRunOptions, signal: AbortSignal, maxDelete?: number): Promise<Outcome> {
  const { id } = await s.call('plans:create', { ...request, ...(name ? { name } : {}) });
  const plan = await waitFor(s, id, ['planned', ...ENDED], opts, signal);
  const text = planLines(plan);
  if (plan.state !== 'planned') return { code: EXIT.failed, json: plan, text: [...text, `planning ${plan.state}: ${plan.message ?? plan.error?.message ?? ''}`] };
  if (maxDelete !== undefined && plan.deletionsPlanned > maxDelete) {
    text.push(`refused: it would delete ${plan.deletionsPlanned} objects, more than --max-delete ${maxDelete}; nothing was changed (--dry-run lists the plan, --max-delete ${plan.deletionsPlanned} allows it)`);
    return { code: EXIT.failed, json: plan, text };
  }
  if (opts.dryRun) return { code: EXIT.ok, json: plan, text: [...text, 'dry run: nothing was changed'] };
  if (!opts.json && !opts.quiet) for (const line of text) process.stderr.write(`${line}\n`);

  await s.call('plans:run', { id });
  let done = await waitFor(s, id, [...ENDED, 'needs-confirmation'], opts, signal);
  if (done.state === 'needs-confirmation' && opts.confirmDeletions) {
    await s.call('plans:confirmDeletions', { id });
    done = await waitFor(s, id, ENDED, opts, signal);
  }
  return { code: runExitCode(done), json: done, text: resultLines(done) };
}

function runExitCode(m: MigrationSummary): ExitCode {
  if (m.state === 'completed') return EXIT.ok;
  if (m.state === 'completed-with-differences' || m.state === 'needs-confirmation') return EXIT.partial;
  if (m.state === 'failed' && (m.report?.copied ?? 0) > 0) return EXIT.partial;
  return EXIT.failed;
}

function planLines(m: MigrationSummary): string[] {
  const lines = [`plan ${m.id}${m.name ? ` (${m.name})` : ''}: ${m.request.source}: ${m.source.objects} objects, ${size(m.source.bytes)}${m.source.filteredOut ? `, ${m.source.filteredOut} filtered out` : ''}`];
  for (const d of m.destinations) {
    const cost = d.estimate ? `, about $${d.estimate.totalUsd.toFixed(2)}` : '';
    lines.push(
      `  -> ${d.uri}: new ${d.new.count} (${size(d.new.bytes)}), changed ${d.changed.count} (${size(d.changed.bytes)}), unchanged ${d.unchanged.count}, extra ${d.extra.count}; path ${d.path}${cost}`,
    );
    if (d.nameIssues || d.metadataIssues || d.notCopyable) lines.push(`     names renamed or refused ${d.nameIssues}, metadata changed ${d.metadataIssues}, not copyable ${d.notCopyable}`);
  }
  if (m.request.mode === 'mirror') lines.push(`  deletions: ${m.deletionsPlanned}${m.request.deletions.quarantinePrefix ? ` (moved to ${m.request.deletions.quarantinePrefix})` : ''}`);
  for (const note of m.notes) lines.push(`  note: ${note}`);
  return lines;
}

function resultLines(m: MigrationSummary): string[] {
  const r = m.report;
  const lines = [`${m.state}: plan ${m.id}${m.message ? `: ${m.message}` : ''}`];
  if (r) lines.push(`  copied ${r.copied} (${size(r.bytesCopied)}), skipped ${r.skipped}, failed ${r.failed}, deleted ${r.deleted}, quarantined ${r.quarantined}, not copied ${r.notCopied}`);
  if (m.differences) lines.push(`  verification: ${m.differences} differences`);
  if (m.state === 'needs-confirmation') lines.push('  nothing was deleted: run again with --confirm-deletions to delete above the cap');
  if (m.error) lines.push(`  error: ${m.error.message}`);
  return lines;
}

/** Follows a migration until it reaches one of `states`; job progress while it runs. */
async function waitFor(s: Session, id: string, states: readonly MigrationState[], opts: GlobalOptions, signal: AbortSignal): Promise<MigrationSummary> {
  const display = createProgress(opts.json ? 'json' : opts.quiet ? 'quiet' : 'auto');
  let jobIds = new Set<string>();
  const off = s.on('jobs:progress', (job) => jobIds.has(job.id) && display.update(job));
  try {
    for (;;) {
      if (signal.aborted) throw new UsageError('interrupted');
      const m = await s.call('plans:get', { id });
      jobIds = new Set(m.jobIds);
      if (states.includes(m.state)) return m;
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    off();
    display.stop();
  }
}
