import type { AccountSettings } from '../../../shared/accounts';
import type { MigrationSummary } from '../../../shared/contract/migrations.channels';
import type { PriceCatalog } from '../../../shared/contract/costs.catalog';
import type { CostEstimate, TransferPathKind } from '../../../shared/contract/costs.estimate';
import {
  addRequestCounts,
  emptyRequestCounts,
  type CostHistory,
  type HistoryJob,
  type HistoryMigration,
  type HistoryRecord,
  type HistoryScan,
} from '../../../shared/contract/costs.history';
import type { ScanResult } from '../../../shared/contract/costs.scan';
import { toErrorInfo } from '../../../shared/errors';
import { parseLocation } from '../../../shared/location';
import type { FinishedJob } from '../jobs/request-count';
import { createLogger } from '../log';
import type { MultipartSettings } from '../providers/provider';
import { actualRequestCost, actualTransferCost } from './actual-cost';
import type { CatalogStore } from './catalog-store';
import { pricingFor } from './pricing-place';
import { estimateTransfer } from './estimator';
import type { HistoryStore } from './history-store';
import { keepingCost, type PricingPlace } from './what-if';

const log = createLogger('costs.history');

type Accounts = { get(name: string): { settings: AccountSettings } | undefined };

/** A scan's totals as the history keeps them: objects, bytes and monthly cost by class, at the scan's pricing. */
export function scanRecord(catalog: PriceCatalog, result: ScanResult, finishedAt: string): HistoryScan | undefined {
  const totals = result.totals;
  if (result.state !== 'done' || !totals) return undefined;
  const byClass: HistoryScan['byClass'] = {};
  const monthlyUsdByClass: HistoryScan['monthlyUsdByClass'] = {};
  for (const [cls, t] of Object.entries(totals.byClass)) {
    byClass[cls] = { count: t.count, bytes: t.bytes };
    // Storage tiers count per class, so a class alone costs what its lines in the whole keeping cost add up to.
    monthlyUsdByClass[cls] = keepingCost(catalog, result.pricing, { byClass: { [cls]: t } }).monthlyUsd;
  }
  const monthlyUsd = Object.values(monthlyUsdByClass).reduce((n, v) => n + v, 0);
  const account = parseLocation(result.uri).account;
  return { t: 'scan', id: result.id, uri: result.uri, account, pricing: result.pricing, finishedAt, objects: totals.objects, bytes: totals.bytes, byClass, monthlyUsdByClass, monthlyUsd };
}

const accountKeyOf = (uri: string): string => {
  const l = parseLocation(uri);
  return `${l.kind}:${l.account}`;
};

function estimatePath(path: string): TransferPathKind {
  return path === 'server-side' || path === 'cloud-pull' ? path : 'relay';
}

/**
 * A finished copy or move job as the history keeps it, priced at `catalog`: the estimate for its listed files
 * (what the estimator says before a copy) and the actual cost of what it moved and requested. A delete job: see
 * deleteRecord.
 */
export function jobRecord(catalog: PriceCatalog, accounts: Accounts, job: FinishedJob, multipart?: MultipartSettings): HistoryJob | undefined {
  const s = job.summary;
  if (s.kind === 'delete') return deleteRecord(catalog, accounts, job);
  const source = s.sources[0];
  if ((s.kind !== 'copy' && s.kind !== 'move') || source === undefined || s.destination === undefined) return undefined;
  const place = (uri: string): PricingPlace => pricingFor(accounts.get(parseLocation(uri).account)?.settings, catalog);
  const from = place(source);
  const to = place(s.destination);
  const srcKey = accountKeyOf(source);
  const dstKey = accountKeyOf(s.destination);
  const sameAccount = srcKey === dstKey;
  const source_ = job.requests.get(srcKey) ?? emptyRequestCounts();
  const destination = sameAccount ? emptyRequestCounts() : (job.requests.get(dstKey) ?? emptyRequestCounts());
  const storageClass = job.options.storageClass;
  let estimate: CostEstimate | null = null;
  let actual: CostEstimate | null = null;
  let priceError: string | undefined;
  try {
    const dest = storageClass === undefined ? to : { ...to, class: storageClass };
    const sizes = job.planned.sizes.length <= 100_000 ? { sizes: job.planned.sizes } : {};
    // Part sizes as the providers were built with (tests lower them), so the estimate splits uploads as the job did.
    const parts = multipart && s.path !== 'server-side' ? { partSizeBytes: multipart.partSizeBytes, multipartThresholdBytes: multipart.thresholdBytes } : {};
    estimate = estimateTransfer(catalog, { source: from, destination: dest, files: job.planned.files, bytes: job.planned.bytes, ...sizes, ...parts, path: estimatePath(s.path) });
    actual = actualTransferCost(catalog, { source: from, destination: dest, bytesByPath: job.moved.byPath, sourceRequests: source_, destinationRequests: destination });
  } catch (e) {
    priceError = toErrorInfo(e).message;
  }
  return {
    t: 'job',
    id: s.id,
    kind: s.kind,
    title: s.title,
    state: s.state,
    source,
    destination: s.destination,
    finishedAt: s.finishedAt ?? new Date().toISOString(),
    from,
    to,
    filesPlanned: job.planned.files,
    bytesPlanned: job.planned.bytes,
    filesMoved: job.moved.files,
    bytesMoved: job.moved.bytes,
    bytesByPath: job.moved.byPath,
    requests: { source: source_, destination, sameAccount },
    estimate,
    actual,
    ...(priceError === undefined ? {} : { priceError }),
  };
}

/**
 * A finished delete job (plain, or a mirror's deletion of extras): its requests priced where it deleted. Its
 * listing is billed, the deletes are not; nothing moves, and no estimate is made before a delete.
 */
function deleteRecord(catalog: PriceCatalog, accounts: Accounts, job: FinishedJob): HistoryJob | undefined {
  const s = job.summary;
  // The job's own source when its files are under it; a mirror's delete job: where its files are.
  const named = s.sources[0];
  const where = named !== undefined && (job.firstFile === undefined || job.firstFile.startsWith(named)) ? named : job.firstFile;
  if (where === undefined) return undefined;
  const from = pricingFor(accounts.get(parseLocation(where).account)?.settings, catalog);
  // A delete job works at one account; should it have touched more, all its requests are priced at the first.
  let requests = emptyRequestCounts();
  for (const c of job.requests.values()) requests = addRequestCounts(requests, c);
  let actual: CostEstimate | null = null;
  let priceError: string | undefined;
  try {
    actual = actualRequestCost(catalog, from, requests);
    if (job.requests.size > 1) actual.notes.push(`Requests at ${job.requests.size} accounts, all priced as ${from.provider} ${from.region}.`);
  } catch (e) {
    priceError = toErrorInfo(e).message;
  }
  return {
    t: 'job',
    id: s.id,
    kind: 'delete',
    title: s.title,
    state: s.state,
    source: where,
    finishedAt: s.finishedAt ?? new Date().toISOString(),
    from,
    filesPlanned: job.planned.files,
    bytesPlanned: 0,
    filesMoved: 0,
    bytesMoved: 0,
    bytesByPath: {},
    requests: { source: requests, destination: emptyRequestCounts(), sameAccount: true },
    deleted: { files: job.moved.files, bytes: job.moved.bytes },
    estimate: null,
    actual,
    ...(priceError === undefined ? {} : { priceError }),
  };
}

/** A finished migration: its plan's estimate, and its copy/move/delete jobs' records (the newest of each) added up. */
export function migrationRecord(s: MigrationSummary, jobs: readonly HistoryJob[]): HistoryMigration {
  const own = jobs.filter((j) => s.jobIds.includes(j.id));
  let requests = emptyRequestCounts();
  for (const j of own) requests = addRequestCounts(requests, addRequestCounts(j.requests.source, j.requests.destination));
  const priced = own.every((j) => j.actual !== null);
  // A transfer service's run: its fee plus the requests and egress the plan's estimate priced (the service makes those).
  const service = s.serviceRun;
  const serviceUsd = service && service.feeUsd !== null && s.report?.costEstimateUsd != null ? service.feeUsd + s.report.costEstimateUsd : null;
  return {
    t: 'migration',
    id: s.id,
    ...(s.name === undefined ? {} : { name: s.name }),
    source: s.request.source,
    destinations: s.request.destinations,
    state: s.state,
    finishedAt: s.finishedAt ?? new Date().toISOString(),
    jobIds: s.jobIds,
    bytesEstimated: s.report?.bytesEstimated ?? s.destinations.reduce((n, d) => n + d.new.bytes + d.changed.bytes, 0),
    bytesMoved: service ? service.bytesCopied : own.reduce((n, j) => n + j.bytesMoved, 0),
    estimateUsd: s.report?.costEstimateUsd ?? null,
    actualUsd: service ? serviceUsd : priced ? own.reduce((n, j) => n + (j.actual?.totalUsd ?? 0), 0) : null,
    requests,
    ...(service ? { service: { engine: service.engine, engineName: service.engineName, feeUsd: service.feeUsd } } : {}),
  };
}

/** The newest record of each job and migration wins (a retried job records again); scans keep every record. */
export function summarize(records: readonly HistoryRecord[], uri?: string): CostHistory {
  const scans: HistoryScan[] = [];
  const runs = new Map<string, HistoryJob | HistoryMigration>();
  for (const r of records) {
    if (r.t === 'scan') {
      if (uri === undefined || r.uri === uri) scans.push(r);
    } else {
      const k = `${r.t}:${r.id}`;
      runs.delete(k);
      runs.set(k, r);
    }
  }
  const inMigration = new Set<string>();
  for (const r of runs.values()) if (r.t === 'migration') for (const id of r.jobIds) inMigration.add(id);
  const byTime = (a: { finishedAt: string }, b: { finishedAt: string }): number => a.finishedAt.localeCompare(b.finishedAt);
  return {
    scans: scans.sort(byTime),
    runs: [...runs.values()].filter((r) => r.t === 'migration' || !inMigration.has(r.id)).sort(byTime),
  };
}

export interface CostHistoryRecorder {
  scanFinished(result: ScanResult): Promise<void>;
  jobFinished(job: FinishedJob): Promise<void>;
  migrationFinished(s: MigrationSummary): Promise<void>;
  history(uri?: string): Promise<CostHistory>;
  /** Resolves once everything handed over so far is written (a clean shutdown). */
  flush(): Promise<void>;
  /** Writes what was handed over, then records nothing more (work that ends after the engine closed is not kept). */
  close(): Promise<void>;
}

/** Records into `store`, priced at the catalog of the moment; a failure to record is logged, never thrown. */
export function createHistoryRecorder(store: HistoryStore, catalog: CatalogStore, accounts: Accounts, multipart?: MultipartSettings): CostHistoryRecorder {
  // One after another, in the order things finished: a migration's record reads its jobs' records, written first.
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const guard = (what: string, fn: () => Promise<void>): Promise<void> => {
    if (closed) {
      log.debug(`the engine is closed: ${what} is not recorded in the cost history`);
      return chain;
    }
    chain = chain.then(async () => {
      try {
        await fn();
      } catch (e) {
        log.warn(`the cost history could not record ${what}`, e);
      }
    });
    return chain;
  };
  return {
    scanFinished: (result) =>
      guard(`the scan of ${result.uri}`, async () => {
        const r = scanRecord(await catalog.effective(), result, new Date().toISOString());
        if (r) await store.append(r);
      }),
    jobFinished: (job) =>
      guard(`job ${job.summary.id}`, async () => {
        const r = jobRecord(await catalog.effective(), accounts, job, multipart);
        if (r) await store.append(r);
      }),
    migrationFinished: (s) =>
      guard(`migration ${s.id}`, async () => {
        const jobs = summarizeJobs(await store.read(), s.jobIds);
        await store.append(migrationRecord(s, jobs));
      }),
    flush: () => chain,
    close: () => {
      closed = true;
      return chain;
    },
    history: async (uri) => {
      await chain;
      return summarize(await store.read(), uri);
    },
  };
}

function summarizeJobs(records: readonly HistoryRecord[], ids: readonly string[]): HistoryJob[] {
  const newest = new Map<string, HistoryJob>();
  for (const r of records) if (r.t === 'job' && ids.includes(r.id)) newest.set(r.id, r);
  return [...newest.values()];
}
