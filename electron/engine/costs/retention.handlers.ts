import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AccountSettings } from '../../../shared/accounts';
import type { RetentionOutcome, RetentionPreview, RetentionReport, retentionChannels } from '../../../shared/contract/retention.channels';
import { RetentionPreviewSchema } from '../../../shared/contract/retention.channels';
import { ConflictError, InvalidInputError, NotFoundError, toErrorInfo } from '../../../shared/errors';
import { formatLocation, type Location } from '../../../shared/location';
import type { EngineContext } from '../context';
import type { Handler } from '../dispatch';
import type { JobManager } from '../jobs/job-manager';
import type { PlannedFile } from '../jobs/types';
import { createLogger } from '../log';
import type { CatalogStore } from './catalog-store';
import { pricingFor } from './pricing-place';
import { MatchList, previewRetention, RetentionTally } from './retention';

const log = createLogger('retention');

export type RetentionChannelName = keyof typeof retentionChannels;
export type RetentionHandlers = { [C in RetentionChannelName]: Handler<C> };

export interface RetentionDeps {
  dataDir: string;
  providers: Pick<EngineContext['providers'], 'resolve'>;
  accounts?: { get(name: string): { settings: AccountSettings } | undefined };
  emit: EngineContext['emit'];
  catalog: CatalogStore;
  jobs: Pick<JobManager, 'startPlanned' | 'get'>;
}

/** Previews kept on disk (their match lists feed the run and its report); older ones are removed first. */
const KEEP_PREVIEWS = 20;

interface PreviewRecord {
  preview: RetentionPreview;
  controller: AbortController;
  location: Location;
}

const fmtCount = (n: number): string => n.toLocaleString('en-US');

export function createRetentionHandlers(deps: RetentionDeps): RetentionHandlers {
  const root = path.join(deps.dataDir, 'retention');
  const previews = new Map<string, PreviewRecord>();
  const dirOf = (id: string): string => path.join(root, id);
  const matchesOf = (id: string): MatchList => new MatchList(path.join(dirOf(id), 'matches'));

  const save = async (p: RetentionPreview): Promise<void> => {
    await writeFile(path.join(dirOf(p.id), 'preview.json'), JSON.stringify(p), { mode: 0o600 });
  };

  /** Removes the oldest saved previews beyond KEEP_PREVIEWS (never one still running here). */
  const prune = async (): Promise<void> => {
    const ids = await readdir(root).catch(() => [] as string[]);
    const dated = await Promise.all(ids.map(async (id) => ({ id, at: (await stat(dirOf(id)).catch(() => undefined))?.mtimeMs ?? 0 })));
    const old = dated.sort((a, b) => b.at - a.at).slice(KEEP_PREVIEWS).filter((d) => previews.get(d.id)?.preview.state !== 'running');
    for (const d of old) {
      previews.delete(d.id);
      await rm(dirOf(d.id), { recursive: true, force: true });
    }
  };

  const get = async (id: string): Promise<PreviewRecord> => {
    const inMemory = previews.get(id);
    if (inMemory) return inMemory;
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new NotFoundError('That preview is no longer available: preview again');
    const text = await readFile(path.join(dirOf(id), 'preview.json'), 'utf8').catch(() => undefined);
    if (text === undefined) throw new NotFoundError('That preview is no longer available: preview again');
    const preview = RetentionPreviewSchema.parse(JSON.parse(text));
    const { location } = deps.providers.resolve(preview.uri);
    const record = { preview, controller: new AbortController(), location };
    previews.set(id, record);
    return record;
  };

  async function run(record: PreviewRecord, provider: Parameters<typeof previewRetention>[0], olderThanDays: number): Promise<void> {
    const { preview, controller, location } = record;
    const emit = (): void => deps.emit('retention:progress', preview.progress);
    try {
      const result = await previewRetention(provider, location.bucket, location.key, {
        olderThanDays,
        action: preview.action,
        catalog: await deps.catalog.effective(),
        place: preview.pricing,
        matches: matchesOf(preview.id),
        signal: controller.signal,
        now: new Date(Date.parse(preview.cutoff) + olderThanDays * 86_400_000),
        onProgress: (p) => {
          preview.progress = { id: preview.id, state: 'running', ...p };
          emit();
        },
      });
      // Saved before it is published as done: a run started at once saves its jobId over a finished file, never
      // races this write.
      const done = {
        matched: result.matched,
        matchedBytes: result.matchedBytes,
        alreadyInClass: result.alreadyInClass,
        byClass: result.byClass,
        currentMonthlyUsd: result.currentMonthlyUsd,
        newMonthlyUsd: result.newMonthlyUsd,
        monthlySavingUsd: result.monthlySavingUsd,
        oneTime: result.oneTime,
        oneTimeUsd: result.oneTimeUsd,
        notes: result.notes,
        cautions: result.cautions,
        sample: result.sample,
        cautionSample: result.cautionSample,
        state: 'done',
      } satisfies Partial<RetentionPreview>;
      await save({ ...preview, ...done });
      Object.assign(preview, done);
    } catch (e) {
      const info = toErrorInfo(e);
      const state = controller.signal.aborted || info.code === 'cancelled' ? 'cancelled' : 'failed';
      if (state === 'failed') log.warn(`retention preview of ${preview.uri} failed: ${info.message}`);
      // Its files are gone before it says it ended: whoever sees 'cancelled' or 'failed' finds nothing left on disk.
      await rm(dirOf(preview.id), { recursive: true, force: true }).catch(() => undefined);
      preview.state = state;
      if (state === 'failed') preview.error = info;
    }
    preview.progress = { ...preview.progress, state: preview.state };
    emit();
  }

  return {
    'retention:preview': async ({ uri, olderThanDays, action, pricing }) => {
      const { provider, location } = deps.providers.resolve(uri);
      if (!location.bucket) throw new InvalidInputError('Choose a bucket (or a folder in one)');
      if (action.kind === 'delete-noncurrent' && (!provider.features.versions || !provider.versioning)) {
        throw new InvalidInputError(`${location.account} keeps no object versions: there are no noncurrent versions to delete`);
      }
      if (action.kind === 'set-class' && !provider.features.setMetadata) {
        throw new InvalidInputError(`${location.account} cannot change the storage class of its objects`);
      }
      if (action.kind === 'set-class' && provider.features.storageClasses.length > 0 &&
        !provider.features.storageClasses.some((c) => c.toLowerCase() === action.storageClass.toLowerCase())) {
        throw new InvalidInputError(`"${action.storageClass}" is not a storage class here (use ${provider.features.storageClasses.join(', ')})`);
      }
      const catalog = await deps.catalog.effective();
      const place = pricing ?? pricingFor(deps.accounts?.get(location.account)?.settings, catalog);
      const id = randomUUID();
      const progress = { id, state: 'running' as const, listed: 0, matched: 0, matchedBytes: 0, pages: 0 };
      const preview: RetentionPreview = {
        id, uri, olderThanDays, action, pricing: place, state: 'running', progress,
        cutoff: new Date(Date.now() - olderThanDays * 86_400_000).toISOString(),
        matched: 0, matchedBytes: 0, alreadyInClass: 0, byClass: {}, currentMonthlyUsd: 0, newMonthlyUsd: 0, monthlySavingUsd: 0,
        oneTime: [], oneTimeUsd: 0, notes: [], sample: [],
      };
      const record: PreviewRecord = { preview, controller: new AbortController(), location };
      previews.set(id, record);
      await prune();
      void run(record, provider, olderThanDays);
      return { id };
    },

    'retention:previewResult': async ({ id }) => structuredClone((await get(id)).preview),

    'retention:cancelPreview': async ({ id }) => {
      (await get(id)).controller.abort();
      return { ok: true as const };
    },

    'retention:run': async ({ id }) => {
      const { preview, location } = await get(id);
      if (preview.state !== 'done') throw new InvalidInputError('The preview has not finished: wait for it, or preview again');
      if (preview.jobId !== undefined) throw new ConflictError('This preview was run already: preview again for a new run');
      if (preview.matched === 0) throw new InvalidInputError('Nothing matches: there is nothing to do');
      const files: PlannedFile[] = [];
      for await (const m of matchesOf(id).read()) {
        files.push({ source: formatLocation({ ...location, key: m.key }), size: m.size, ...(m.etag === undefined ? {} : { etag: m.etag }), ...(m.version === undefined ? {} : { version: m.version }) });
      }
      const { action } = preview;
      const what = `${fmtCount(files.length)} ${action.kind === 'delete-noncurrent' ? 'noncurrent versions' : 'objects'} older than ${preview.olderThanDays} days in ${preview.uri}`;
      const job = deps.jobs.startPlanned({
        kind: action.kind === 'set-class' ? 'set-class' : 'delete',
        title: action.kind === 'set-class' ? `Retention: move ${what} to ${action.storageClass}` : `Retention: delete ${what}`,
        sources: [preview.uri],
        options: { unchangedBefore: preview.cutoff, ...(action.kind === 'set-class' ? { storageClass: action.storageClass } : {}) },
        files,
      });
      preview.jobId = job.id;
      await save(preview);
      return { jobId: job.id };
    },

    'retention:report': async ({ id, offset = 0, limit = 1000 }) => {
      const { preview } = await get(id);
      if (preview.jobId === undefined) throw new InvalidInputError('This preview has not been run');
      const job = deps.jobs.get(preview.jobId);
      const tally = new RetentionTally(await deps.catalog.effective(), preview.pricing, preview.action);
      const totals = Object.fromEntries((['deleted', 'class-changed', 'skipped', 'failed', 'not-run'] as const).map((o) => [o, { count: 0, bytes: 0 }])) as RetentionReport['totals'];
      const objects: RetentionReport['objects'] = [];
      let i = 0;
      const now = Date.now();
      for await (const m of matchesOf(id).read()) {
        const f = job.files[i];
        const outcome: RetentionOutcome =
          f?.state === 'done' ? (preview.action.kind === 'set-class' ? 'class-changed' : 'deleted') : f?.state === 'skipped' ? 'skipped' : f?.state === 'failed' ? 'failed' : 'not-run';
        totals[outcome].count += 1;
        totals[outcome].bytes += m.size;
        if (outcome === 'deleted' || outcome === 'class-changed') tally.add(m, now);
        if (i >= offset && objects.length < limit) {
          const reason = f?.error?.message ?? job.noticeText(i);
          objects.push({ uri: f?.source ?? m.key, size: m.size, ...(m.storageClass ? { storageClass: m.storageClass } : {}), outcome, ...(reason ? { reason } : {}) });
        }
        i += 1;
      }
      return {
        previewId: id,
        jobId: preview.jobId,
        uri: preview.uri,
        action: preview.action,
        jobState: job.state,
        totals,
        realisedMonthlySavingUsd: tally.count === 0 ? 0 : tally.price().monthlySavingUsd,
        previewMonthlySavingUsd: preview.monthlySavingUsd,
        objects,
        objectsTruncated: offset + objects.length < i,
      };
    },
  };
}
