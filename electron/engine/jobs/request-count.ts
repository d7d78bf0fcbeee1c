import { emptyRequestCounts, type RequestCounts } from '../../../shared/contract/costs.history';
import type { JobOptions, JobSummary, TransferPath } from '../../../shared/contract/jobs.channels';
import { DEFAULT_MULTIPART, type MultipartSettings, type ParallelRead, type Provider } from '../providers/provider';
import type { Job } from './job-model';
import type { Resolver } from './types';

/** S3 and GCS XML cap an upload at 10,000 parts (Azure at 50,000 blocks): past it the part size grows. */
const MAX_PARTS = 10_000;

/**
 * Part uploads of a put of `size` bytes, from the providers' multipart settings: none below the threshold (one
 * single-shot PUT), else size / part size, the part size grown so that no upload needs more than 10,000 parts.
 * Derived, not observed: the providers upload parts inside put(), out of this decorator's sight. S3 and Azure
 * split exactly so (Azure up to 10,000 blocks, about 49 GiB at 5 MiB parts: past it Azure keeps the part size up to
 * 50,000 blocks, so it makes more, smaller requests than counted here); GCS uploads an object no
 * larger than one part in one request too, which this counts as one part of a multipart upload.
 */
export function partsOf(size: number, multipart: MultipartSettings): number {
  if (size < multipart.thresholdBytes || size === 0) return 0;
  const partSize = Math.max(multipart.partSizeBytes, Math.ceil(size / MAX_PARTS));
  return Math.ceil(size / partSize);
}

/**
 * A provider that counts the calls made through it, by kind, into `counts`: one per call (a retried call counts
 * again, as the provider bills it). The job code sees the same provider otherwise: every other member is the
 * inner provider's, its methods bound to it (private fields and getters keep working).
 */
export function countingProvider(inner: Provider, counts: RequestCounts, multipart: MultipartSettings = DEFAULT_MULTIPART): Provider {
  const wrapper: Partial<Provider> = {
    list: (...a) => (counts.list++, inner.list(...a)),
    stat: (...a) => (counts.head++, inner.stat(...a)),
    open: (bucket, key, options) => {
      counts.get++;
      const parallel = options?.parallel;
      // A read in parallel ranges makes one GET more per range after the first answer.
      if (!parallel) return inner.open(bucket, key, options);
      const counted: ParallelRead = {
        partBytes: parallel.partBytes,
        limit: () => parallel.limit(),
        onRequest: () => {
          counts.get++;
          parallel.onRequest?.();
        },
        onRange: (ms, bytes, inFlight) => parallel.onRange?.(ms, bytes, inFlight),
      };
      return inner.open(bucket, key, { ...options, parallel: counted });
    },
    put: (bucket, key, source, options) => {
      const parts = partsOf(options.size, multipart);
      if (parts === 0) counts.put++;
      else {
        counts.multipart++;
        counts.parts += parts;
      }
      return inner.put(bucket, key, source, options);
    },
    remove: (...a) => (counts.delete++, inner.remove(...a)),
    removeMany: (bucket, keys, signal, options) => ((counts.delete += keys.length), inner.removeMany(bucket, keys, signal, options)),
  };
  const copy = inner.copy?.bind(inner);
  if (copy) wrapper.copy = (...a) => (counts.copy++, copy(...a));
  // Hashing reads the object (local folders only: the clouds store their hashes).
  const hash = inner.hash?.bind(inner);
  if (hash) wrapper.hash = (...a) => (counts.get++, hash(...a));
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.hasOwn(wrapper, prop)) return wrapper[prop as keyof Provider];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The requests of one job, by account (`kind:account`, as the resolver names it). Wraps each provider once, so
 * that code comparing providers by identity (the destination index) sees one provider per account.
 */
export class RequestCounter {
  private readonly byAccount = new Map<string, RequestCounts>();
  private readonly wrapped = new WeakMap<Provider, Provider>();
  private lastSaved: string;

  /** `saved`: the counts journaled by earlier runs of the app (a job resumed after a restart counts on from them). */
  constructor(
    private readonly multipart: MultipartSettings = DEFAULT_MULTIPART,
    saved: Readonly<Record<string, RequestCounts>> = {},
  ) {
    for (const [k, v] of Object.entries(saved)) this.byAccount.set(k, { ...v });
    this.lastSaved = JSON.stringify(Object.fromEntries(this.byAccount));
  }

  resolver(resolve: Resolver): Resolver {
    return async (uri) => {
      const r = await resolve(uri);
      let counts = this.byAccount.get(r.accountKey);
      if (!counts) this.byAccount.set(r.accountKey, (counts = emptyRequestCounts()));
      let provider = this.wrapped.get(r.provider);
      if (!provider) this.wrapped.set(r.provider, (provider = countingProvider(r.provider, counts, this.multipart)));
      return { ...r, provider };
    };
  }

  /** A copy of the counts so far, by account key. */
  counts(): Map<string, RequestCounts> {
    return new Map([...this.byAccount].map(([k, v]) => [k, { ...v }]));
  }

  /** The counts so far, for the journal, when they changed since the last call (or since the saved ones). */
  unsaved(): Record<string, RequestCounts> | undefined {
    const by = Object.fromEntries(this.counts());
    const text = JSON.stringify(by);
    if (text === this.lastSaved) return undefined;
    this.lastSaved = text;
    return by;
  }
}

/** What the job manager tells about a finished job (cost history): totals from its file records and its requests. */
export interface FinishedJob {
  summary: JobSummary;
  options: JobOptions;
  /** The listed files (those the plan did not reject), for an estimate of the whole job. */
  planned: { files: number; bytes: number; sizes: number[] };
  moved: { files: number; bytes: number; byPath: Partial<Record<TransferPath, number>> };
  /** By account key (`kind:account`); every run of the job, those before a restart included (journaled). */
  requests: Map<string, RequestCounts>;
  /**
   * The first listed file's source: where a delete job deleted (a mirror's delete job is named after the
   * migration's source, while the extras it deletes are at the destination).
   */
  firstFile?: string;
}

export function finishedJob(job: Job, counter: RequestCounter | undefined): FinishedJob {
  const planned = { files: 0, bytes: 0, sizes: [] as number[] };
  const moved = { files: 0, bytes: 0, byPath: {} as Partial<Record<TransferPath, number>> };
  for (const f of job.files) {
    if (f.planError) continue;
    planned.files++;
    planned.bytes += f.size;
    planned.sizes.push(f.size);
    if (f.state !== 'done') continue;
    moved.files++;
    moved.bytes += f.size;
    const path = f.path ?? job.predictedPath;
    moved.byPath[path] = (moved.byPath[path] ?? 0) + f.size;
  }
  const first = job.files[0]?.source;
  return { summary: job.summary(), options: job.options, planned, moved, requests: counter?.counts() ?? new Map(), ...(first === undefined ? {} : { firstFile: first }) };
}
