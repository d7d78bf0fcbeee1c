import { randomUUID } from 'node:crypto';
import type { AccountSettings } from '../../../shared/accounts';
import type { costChannels } from '../../../shared/contract/costs.channels';
import type { ScanProgress, ScanResult } from '../../../shared/contract/costs.scan';
import { InvalidInputError, NotFoundError, toErrorInfo } from '../../../shared/errors';
import type { EngineContext } from '../context';
import type { Handler } from '../dispatch';
import { createLogger } from '../log';
import { createCatalogStore, type CatalogStore } from './catalog-store';
import { estimateTransfer } from './estimator';
import type { CostHistoryRecorder } from './history';
import { pricingFor } from './pricing-place';
import { scanPrefix } from './scan';
import { keepingCost, whatIf, type PricingPlace } from './what-if';

const log = createLogger('costs');

export type CostChannelName = keyof typeof costChannels;
export type CostHandlers = { [C in CostChannelName]: Handler<C> };

export interface CostHandlerDeps {
  dataDir: string;
  providers: Pick<EngineContext['providers'], 'resolve'>;
  /** To price a scan at the account's own provider and region. */
  accounts?: { get(name: string): { settings: AccountSettings } | undefined };
  emit: EngineContext['emit'];
  /** Tests may pass their own store; otherwise the overlay lives in `dataDir`. */
  catalog?: CatalogStore;
  /** Where finished scans are recorded and `costs:history` reads from; without one the history is empty. */
  history?: CostHistoryRecorder;
}

/** Finished scans kept for `costs:scanResult` and `costs:whatIf`; older ones are forgotten first. */
const KEEP_FINISHED_SCANS = 20;

interface ScanRecord {
  result: ScanResult;
  controller: AbortController;
}

export function createCostHandlers(deps: CostHandlerDeps): CostHandlers {
  const store = deps.catalog ?? createCatalogStore(deps.dataDir);
  const scans = new Map<string, ScanRecord>();

  const forget = (): void => {
    const finished = [...scans.values()].filter((s) => s.result.state !== 'running');
    for (const s of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_SCANS))) scans.delete(s.result.id);
  };

  const getScan = (id: string): ScanRecord => {
    const s = scans.get(id);
    if (!s) throw new NotFoundError('That scan is no longer available: scan again');
    return s;
  };

  async function run(record: ScanRecord, bucket: string, prefix: string, provider: Parameters<typeof scanPrefix>[0]): Promise<void> {
    const { result, controller } = record;
    const progress = (p: Omit<ScanProgress, 'id' | 'state'>): void => {
      result.progress = { id: result.id, state: result.state, ...p };
      deps.emit('costs:scanProgress', result.progress);
    };
    try {
      const totals = await scanPrefix(provider, bucket, prefix, { signal: controller.signal, onProgress: progress });
      result.totals = totals;
      result.keeping = keepingCost(await store.effective(), result.pricing, totals);
      // Recorded before the scan says it is done: a view that refreshes then finds the scan in the history.
      await deps.history?.scanFinished({ ...result, state: 'done' });
      result.state = 'done';
    } catch (e) {
      const info = toErrorInfo(e);
      result.state = controller.signal.aborted || info.code === 'cancelled' ? 'cancelled' : 'failed';
      if (result.state === 'failed') {
        result.error = info;
        log.warn(`scan of ${result.uri} failed: ${info.message}`);
      }
    }
    result.progress = { ...result.progress, state: result.state };
    deps.emit('costs:scanProgress', result.progress);
    forget();
  }

  return {
    'costs:catalog': async () => ({ catalog: await store.effective(), overlay: await store.overlay() }),
    'costs:setPrice': (edit) => store.setPrice(edit),
    'costs:addProvider': ({ provider }) => store.addProvider(provider),
    'costs:addRegion': ({ provider, region }) => store.addRegion(provider, region),
    'costs:resetCatalog': ({ provider }) => store.reset(provider),
    'costs:estimateTransfer': async (req) => estimateTransfer(await store.effective(), req),
    'costs:estimateCopy': async ({ sourceAccount, destinationAccount, cloudPull, ...rest }) => {
      const catalog = await store.effective();
      const place = (name: string): PricingPlace => {
        const account = deps.accounts?.get(name);
        if (!account) throw new NotFoundError(`No saved account is named "${name}"`);
        return pricingFor(account.settings, catalog);
      };
      const path = sourceAccount === destinationAccount ? 'server-side' : cloudPull === true ? 'cloud-pull' : 'relay';
      return estimateTransfer(catalog, { source: place(sourceAccount), destination: place(destinationAccount), path, ...rest });
    },

    'costs:scan': async ({ uri, pricing }) => {
      const { provider, location } = deps.providers.resolve(uri);
      if (!location.bucket) throw new InvalidInputError('Choose a bucket (or a folder in one) to scan');
      const catalog = await store.effective();
      const place = pricing ?? pricingFor(deps.accounts?.get(location.account)?.settings, catalog);
      const id = randomUUID();
      const record: ScanRecord = {
        controller: new AbortController(),
        result: { id, uri, state: 'running', pricing: place, progress: { id, state: 'running', objects: 0, bytes: 0, pages: 0 } },
      };
      scans.set(id, record);
      // The scan outlives this request: it reports through events and `costs:scanResult`.
      void run(record, location.bucket, location.key, provider);
      return { id };
    },
    'costs:scanResult': async ({ id }) => structuredClone(getScan(id).result),
    'costs:cancelScan': async ({ id }) => {
      getScan(id).controller.abort();
      return { ok: true as const };
    },
    'costs:whatIf': async ({ id, olderThanDays, targetClass, fromClasses, pricing }) => {
      const { result } = getScan(id);
      if (!result.totals) throw new InvalidInputError(result.state === 'running' ? 'The scan is still running: wait for it to finish' : 'That scan did not finish: scan again');
      const input = fromClasses ? { olderThanDays, targetClass, fromClasses } : { olderThanDays, targetClass };
      return whatIf(await store.effective(), pricing ?? result.pricing, result.totals, input);
    },
    'costs:history': async ({ uri }) => (deps.history ? deps.history.history(uri) : { scans: [], runs: [] }),
  };
}
