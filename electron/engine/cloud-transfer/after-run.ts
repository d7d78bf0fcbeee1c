import type { CloudTransfer } from '../../../shared/contract/cloud-transfer.channels';
import type { ServiceRun } from '../../../shared/contract/migrations.channels';
import { ConflictError } from '../../../shared/errors';
import { serviceFee } from './fees';
import { engineName } from './routing';

/** What the migration runner offers for a plan a service copied (migrations/run.ts `afterServiceRun`). */
export interface ServiceRunVerifier {
  afterServiceRun(migrationId: string, run: ServiceRun): Promise<void>;
}

/**
 * The service's run as the plan's report keeps it: its own counters, as it gave them, and its fee for the bytes it
 * says it copied (from the same dated catalog as the estimate shown before the run).
 */
export function serviceRunOf(t: CloudTransfer): ServiceRun {
  const p = t.progress;
  if (!p || (p.state !== 'succeeded' && p.state !== 'failed' && p.state !== 'cancelled')) throw new ConflictError('The service’s run has not ended yet');
  const fee = serviceFee(t.engine, p.bytesCopied);
  return {
    transferId: t.id,
    engine: t.engine,
    engineName: engineName(t.engine),
    state: p.state,
    serviceState: p.serviceState,
    ...(p.objectsFound === undefined ? {} : { objectsFound: p.objectsFound }),
    ...(p.bytesFound === undefined ? {} : { bytesFound: p.bytesFound }),
    objectsCopied: p.objectsCopied,
    bytesCopied: p.bytesCopied,
    objectsFailed: p.objectsFailed,
    ...(p.objectsSkipped === undefined ? {} : { objectsSkipped: p.objectsSkipped }),
    errors: p.errors,
    ...(p.startedAt === undefined ? {} : { startedAt: p.startedAt }),
    ...(p.endedAt === undefined ? {} : { endedAt: p.endedAt }),
    feeUsd: fee.complete ? fee.usd : null,
  };
}

/** Hands an ended run to its plan: Skyferry's own verification, the report and the cost record. */
export async function verifyAfterRun(verifier: ServiceRunVerifier, t: CloudTransfer): Promise<void> {
  if (!t.migrationId) return;
  await verifier.afterServiceRun(t.migrationId, serviceRunOf(t));
}
