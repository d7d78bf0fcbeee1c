import type { JobFile } from '../../../shared/contract/jobs.channels';
import type { MigrationSummary, PlanItem, ReportRow } from '../../../shared/contract/migrations.channels';
import { csvDocument, csvRow } from '../../../shared/csv';
import { listName } from './planner';
import type { MigrationHost } from './types';

/** How a migration's note starts when its deletions did not run (run.ts deletionsSkippedNote). */
export const DELETIONS_SKIPPED = 'Deletions skipped because';

type Totals = NonNullable<MigrationSummary['report']>;
const PAGE = 5000;

function destinationOf(s: MigrationSummary, uri: string): string {
  return s.request.destinations.find((d) => uri.startsWith(d)) ?? s.request.destinations.find((d) => uri.startsWith(d.replace(/\/?$/, '/'))) ?? '';
}

function rowOf(s: MigrationSummary, kind: 'copy' | 'move' | 'delete', f: JobFile): ReportRow {
  const target = kind === 'delete' ? f.source : (f.destination ?? '');
  const ok = f.state === 'done';
  const outcome: ReportRow['outcome'] =
    f.state === 'failed' || f.state === 'cancelled' ? 'failed' : f.state === 'skipped' ? 'skipped' : !ok ? 'pending' : kind === 'copy' ? 'copied' : kind === 'move' ? 'quarantined' : 'deleted';
  const row: ReportRow = { destination: destinationOf(s, kind === 'copy' ? target : f.source), target, outcome, size: f.size };
  if (kind === 'copy') row.source = f.source;
  if (f.renamedTo !== undefined) row.renamedTo = f.renamedTo;
  if (f.notice !== undefined && /metadata/i.test(f.notice)) row.metadataDropped = f.notice;
  if (f.checksum !== undefined) row.checksum = f.checksum;
  if (f.error) row.reason = f.error.message;
  else if (f.state === 'cancelled') row.reason = 'cancelled';
  // A deletion or quarantine is checked against the plan (the checked run words it for a retention preview).
  else if (f.notice !== undefined && row.metadataDropped === undefined) row.reason = kind === 'copy' ? f.notice : f.notice.replace(/since the preview/g, 'since the plan');
  return row;
}

/**
 * Every object of a migration with its outcome, written to the plan's `report` list, and the totals. Rows come
 * from the jobs' own per-file records (what really happened), plus what the plan left out on purpose (names the
 * destination cannot hold) and what it found identical.
 */
export async function buildReport(svc: Pick<MigrationHost, 'deps' | 'store'>, s: MigrationSummary): Promise<Totals> {
  await svc.store.clear(s.id, 'report');
  const w = await svc.store.writer(s.id);
  const t: Totals = { copied: 0, skipped: 0, failed: 0, notCopied: 0, deleted: 0, quarantined: 0, renamed: 0, metadataChanged: 0, bytesCopied: 0, bytesEstimated: 0, costEstimateUsd: null, durationMs: 0, checksumKinds: {} };
  const add = async (row: ReportRow): Promise<void> => {
    if (row.outcome === 'copied') {
      t.copied++;
      t.bytesCopied += row.size;
      if (row.checksum !== undefined) t.checksumKinds[row.checksum] = (t.checksumKinds[row.checksum] ?? 0) + 1;
    } else if (row.outcome === 'skipped') t.skipped++;
    else if (row.outcome === 'failed') t.failed++;
    else if (row.outcome === 'not-copied') t.notCopied++;
    else if (row.outcome === 'deleted') t.deleted++;
    else if (row.outcome === 'quarantined') t.quarantined++;
    if (row.renamedTo !== undefined) t.renamed++;
    if (row.metadataDropped !== undefined) t.metadataChanged++;
    await w.add('report', row);
  };
  for (const jobId of s.jobIds) {
    let job;
    try {
      job = svc.deps.jobs.get(jobId);
    } catch {
      continue; // the job's history was cleared: its rows are gone with it
    }
    if (job.kind === 'set-class' || job.kind === 'set-metadata') continue; // migrations start neither: no migration row
    for (let offset = 0; offset < job.files.length; offset += PAGE) {
      for (const f of job.detail(offset, PAGE).files) await add(rowOf(s, job.kind, f));
    }
  }
  const src = s.request.source.replace(/\/?$/, '/');
  if (s.serviceRun) await serviceRows(svc, s, add);
  for (const [d, dest] of s.request.destinations.entries()) {
    for await (const item of svc.store.read<PlanItem>(s.id, listName('names', d))) {
      if (item.issue === 'renamed' || item.issue === 'nfc-nfd') continue;
      await add({ destination: dest, source: src + (item.key ?? ''), target: '', outcome: 'not-copied', size: item.size, reason: item.message ?? item.issue ?? 'not copied' });
    }
    // Deletions a copy error stopped: each planned one stays, with the run's reason.
    const skipped = s.notes.find((n) => n.startsWith(DELETIONS_SKIPPED));
    if (skipped !== undefined && s.deletionsPlanned > 0) {
      for await (const item of svc.store.read<PlanItem>(s.id, listName('extra', d))) {
        await add({ destination: dest, target: dest.replace(/\/?$/, '/') + (item.destKey ?? ''), outcome: 'skipped', size: item.size, reason: skipped });
      }
    }
    for await (const item of svc.store.read<PlanItem>(s.id, listName('unchanged', d))) {
      await add({ destination: dest, source: src + (item.key ?? ''), target: dest.replace(/\/?$/, '/') + (item.destKey ?? ''), outcome: 'skipped', size: item.size, reason: 'unchanged' });
    }
  }
  await w.flush();
  t.bytesEstimated = s.destinations.reduce((n, d) => n + d.new.bytes + d.changed.bytes, 0);
  t.costEstimateUsd = s.destinations.every((d) => d.estimate) ? s.destinations.reduce((n, d) => n + (d.estimate?.totalUsd ?? 0), 0) : null;
  const start = s.runStartedAt ? Date.parse(s.runStartedAt) : NaN;
  t.durationMs = Number.isFinite(start) ? Math.max(0, Date.now() - start) : 0;
  return t;
}

/**
 * A plan a transfer service copied has no job records: each planned object's row says what the verification
 * found at the destination after the service's run (present and equal: copied; missing or different: failed).
 */
async function serviceRows(svc: Pick<MigrationHost, 'store'>, s: MigrationSummary, add: (row: ReportRow) => Promise<void>): Promise<void> {
  const engine = s.serviceRun?.engineName ?? 'the service';
  const differs = new Map<string, string>();
  for await (const item of svc.store.read<PlanItem>(s.id, 'differences')) differs.set(`${item.dest}\u0000${item.key ?? ''}`, item.reason ?? 'differs');
  const src = s.request.source.replace(/\/?$/, '/');
  for (const [d, dest] of s.request.destinations.entries()) {
    for (const group of ['new', 'changed'] as const) {
      for await (const item of svc.store.read<PlanItem>(s.id, listName(group, d))) {
        const key = item.key ?? '';
        const reason = differs.get(`${d}\u0000${key}`);
        const row: ReportRow = { destination: dest, source: src + key, target: dest.replace(/\/?$/, '/') + (item.destKey ?? key), outcome: reason === undefined ? 'copied' : 'failed', size: item.size };
        if (reason !== undefined) row.reason = `${reason} after ${engine}'s run`;
        await add(row);
      }
    }
  }
}

const CSV_COLUMNS: Array<keyof ReportRow> = ['destination', 'source', 'target', 'outcome', 'size', 'renamedTo', 'metadataDropped', 'checksum', 'reason'];

export function csvLine(row: ReportRow): string {
  return csvRow(CSV_COLUMNS.map((c) => row[c]));
}

export async function exportReport(svc: Pick<MigrationHost, 'get' | 'store'>, id: string, format: 'json' | 'csv'): Promise<{ text: string; fileName: string }> {
  const s = svc.get(id);
  const rows: ReportRow[] = [];
  for await (const row of svc.store.read<ReportRow>(id, 'report')) rows.push(row);
  const differences: PlanItem[] = [];
  for await (const item of svc.store.read<PlanItem>(id, 'differences')) differences.push(item);
  const stamp = (s.finishedAt ?? s.createdAt).slice(0, 19).replace(/[:T]/g, '-');
  if (format === 'json') return { text: JSON.stringify({ migration: s, rows, differences }, null, 2), fileName: `skyferry-migration-${stamp}.json` };
  const text = csvDocument(CSV_COLUMNS, rows.map((row) => CSV_COLUMNS.map((c) => row[c])));
  return { text, fileName: `skyferry-migration-${stamp}.csv` };
}
