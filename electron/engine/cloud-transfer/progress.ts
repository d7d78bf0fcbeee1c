import type { CloudTransferProgress, CloudTransferState } from '../../../shared/contract/cloud-transfer.channels';

/**
 * Each service's progress report read into one shape. The inputs are loose on purpose: the same function reads a
 * service's JSON as documented (int64 counters as strings, timestamps as RFC 3339 text) and what its SDK decodes
 * (numbers, protobuf Longs, Dates).
 */
const MAX_ERRORS = 20;

/** A counter from a number, a decimal string or a protobuf Long (its toString); undefined when absent. */
export function counter(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(typeof v === 'object' && 'toString' in v ? v.toString() : v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

function isoOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.toISOString();
  // DataSync's JSON gives epoch seconds (`1532660733.39`); the others give RFC 3339 text.
  if (typeof v === 'string') return /^\d+(\.\d+)?$/.test(v) ? new Date(Number(v) * 1000).toISOString() : v;
  if (typeof v === 'number') return new Date(v * 1000).toISOString();
  if (typeof v === 'object' && 'seconds' in v) {
    const seconds = counter((v as { seconds: unknown }).seconds);
    return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
  }
  return undefined;
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v !== null && typeof v === 'object' ? (v as Loose) : {});

const STS_STATES: Record<string, CloudTransferState> = {
  STATUS_UNSPECIFIED: 'queued',
  QUEUED: 'queued',
  IN_PROGRESS: 'running',
  PAUSED: 'paused',
  SUSPENDING: 'paused',
  SUCCESS: 'succeeded',
  FAILED: 'failed',
  ABORTED: 'cancelled',
};

/** `TransferOperation.Status` by number, in the proto's order: the SDK decodes enums to numbers, the JSON has names. */
const STS_STATUS_NAMES = ['STATUS_UNSPECIFIED', 'IN_PROGRESS', 'PAUSED', 'SUCCESS', 'FAILED', 'ABORTED', 'QUEUED', 'SUSPENDING'];

/** `google.rpc.Code` by number, for error breakdowns the SDK decoded. */
const RPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** A Storage Transfer Service `TransferOperation` (an operation's `metadata`). */
export function fromStsOperation(op: unknown): CloudTransferProgress {
  const o = obj(op);
  const c = obj(o.counters);
  const serviceState = typeof o.status === 'string' ? o.status : typeof o.status === 'number' ? (STS_STATUS_NAMES[o.status] ?? 'STATUS_UNSPECIFIED') : 'STATUS_UNSPECIFIED';
  const errors: string[] = [];
  for (const e of Array.isArray(o.errorBreakdowns) ? o.errorBreakdowns : []) {
    const b = obj(e);
    const first = obj(Array.isArray(b.errorLogEntries) ? b.errorLogEntries[0] : undefined);
    const details = Array.isArray(first.errorDetails) ? first.errorDetails.map(String).join('; ') : '';
    const n = counter(b.errorCount) ?? 0;
    errors.push(`${n.toLocaleString('en-US')} object${n === 1 ? '' : 's'}: ${typeof b.errorCode === 'number' ? (RPC_CODES[b.errorCode] ?? String(b.errorCode)) : String(b.errorCode ?? 'UNKNOWN')}${first.url ? ` (e.g. ${String(first.url)}${details ? `: ${details}` : ''})` : ''}`);
  }
  return {
    state: STS_STATES[serviceState] ?? 'running',
    serviceState,
    objectsFound: counter(c.objectsFoundFromSource) ?? 0,
    bytesFound: counter(c.bytesFoundFromSource) ?? 0,
    objectsCopied: counter(c.objectsCopiedToSink) ?? 0,
    bytesCopied: counter(c.bytesCopiedToSink) ?? 0,
    objectsFailed: counter(c.objectsFromSourceFailed) ?? 0,
    bytesFailed: counter(c.bytesFromSourceFailed) ?? 0,
    objectsSkipped: counter(c.objectsFromSourceSkippedBySync) ?? 0,
    errors: errors.slice(0, MAX_ERRORS),
    startedAt: isoOf(o.startTime),
    endedAt: isoOf(o.endTime),
  };
}

const DATASYNC_STATES: Record<string, CloudTransferState> = {
  QUEUED: 'queued',
  CANCELLING: 'cancelling',
  LAUNCHING: 'running',
  PREPARING: 'running',
  TRANSFERRING: 'running',
  VERIFYING: 'running',
  SUCCESS: 'succeeded',
  ERROR: 'failed',
};

/**
 * A DataSync `DescribeTaskExecution` response. Enhanced mode adds FilesListed / FilesFailed / FilesSkipped; Basic
 * mode has only the estimates and FilesTransferred. A cancelled execution ends as ERROR with the cancel named in
 * its Result, so a cancel the user asked for is passed as `cancelled`.
 */
export function fromDataSyncExecution(res: unknown, cancelled = false): CloudTransferProgress {
  const r = obj(res);
  const serviceState = typeof r.Status === 'string' ? r.Status : 'QUEUED';
  const listed = obj(r.FilesListed);
  const failed = obj(r.FilesFailed);
  const failedCount = ['Prepare', 'Transfer', 'Verify', 'Delete'].reduce((n, k) => n + (counter(failed[k]) ?? 0), 0);
  const result = obj(r.Result);
  let state = DATASYNC_STATES[serviceState] ?? 'running';
  if (state === 'failed' && cancelled) state = 'cancelled';
  // Result's ErrorCode / ErrorDetail are read only for a failed run: the API reference's own example of a
  // successful one carries placeholder text there.
  const errors: string[] = [];
  if (state === 'failed') {
    if (result.ErrorCode || result.ErrorDetail) errors.push(`${String(result.ErrorCode ?? 'Error')}: ${String(result.ErrorDetail ?? '')}`.trim());
    for (const phase of ['Prepare', 'Transfer', 'Verify'] as const) {
      if (result[`${phase}Status`] === 'ERROR') errors.push(`The ${phase.toLowerCase()} phase failed`);
    }
  }
  return {
    state,
    serviceState,
    objectsFound: counter(listed.AtSource) ?? counter(r.EstimatedFilesToTransfer),
    bytesFound: counter(r.EstimatedBytesToTransfer),
    objectsCopied: counter(r.FilesTransferred) ?? 0,
    bytesCopied: counter(r.BytesTransferred) ?? 0,
    objectsFailed: failedCount,
    objectsSkipped: counter(obj(r.FilesSkipped).Total) ?? counter(r.FilesSkipped),
    errors: errors.slice(0, MAX_ERRORS),
    startedAt: isoOf(r.StartTime),
    endedAt: isoOf(r.EndTime),
  };
}

const MOVER_STATES: Record<string, CloudTransferState> = {
  Queued: 'queued',
  Started: 'running',
  Running: 'running',
  PausedByBandwidthManagement: 'paused',
  CancelRequested: 'cancelling',
  Canceling: 'cancelling',
  Canceled: 'cancelled',
  Failed: 'failed',
  Succeeded: 'succeeded',
};

/** An Azure Storage Mover job run's `properties` (or the whole resource, whose `properties` is read). */
export function fromStorageMoverJobRun(run: unknown): CloudTransferProgress {
  const whole = obj(run);
  const p = whole.properties ? obj(whole.properties) : whole;
  const serviceState = typeof p.status === 'string' ? p.status : 'Queued';
  const error = obj(p.error);
  const errors = error.code || error.message ? [`${String(error.code ?? 'Error')}: ${String(error.message ?? '')}`.trim()] : [];
  return {
    state: MOVER_STATES[serviceState] ?? 'running',
    serviceState,
    objectsFound: counter(p.itemsScanned),
    bytesFound: counter(p.bytesScanned),
    objectsCopied: counter(p.itemsTransferred) ?? 0,
    bytesCopied: counter(p.bytesTransferred) ?? 0,
    objectsFailed: counter(p.itemsFailed) ?? 0,
    bytesFailed: counter(p.bytesFailed),
    objectsSkipped: counter(p.itemsNoTransferNeeded),
    errors,
    startedAt: isoOf(p.executionStartTime),
    endedAt: isoOf(p.executionEndTime),
  };
}

/** Whether the service is done with this run. */
export function isFinal(state: CloudTransferState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}
