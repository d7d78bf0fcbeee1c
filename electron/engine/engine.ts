import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EventName, EventPayload } from '../../shared/contract';
import { createAccountHandlers } from './accounts/accounts.handlers';
import { openAccountStore } from './accounts/account-store';
import { createEntraHandlers } from './accounts/entra.handlers';
import { createAzureIdentities, type AzureIdentityOptions } from './accounts/identities/azure';
import { createIdentityHandlers } from './accounts/identities/identities.handlers';
import { createMfaBroker } from './accounts/identities/mfa';
import type { SecretCipher } from './accounts/secret-store';
import { createProviderRegistry, type EngineContext } from './context';
import { createCatalogStore } from './costs/catalog-store';
import { createCostHandlers } from './costs/costs.handlers';
import { createHistoryRecorder } from './costs/history';
import { openHistoryStore } from './costs/history-store';
import { createRetentionHandlers } from './costs/retention.handlers';
import { createCloudTransferHandlers } from './cloud-transfer/cloud-transfer.handlers';
import { connectDriver } from './cloud-transfer/connect';
import { CloudTransferService } from './cloud-transfer/service';
import { createDialogHandlers } from './dialogs.handlers';
import { dispatch, type Engine, type EventListener, type Handlers } from './dispatch';
import { JobManager } from './jobs/job-manager';
import { createJobHandlers } from './jobs/jobs.handlers';
import { createLogger } from './log';
import { catalogEstimator } from './migrations/estimate';
import { createMigrationHandlers } from './migrations/migrations.handlers';
import type { ProviderOptions } from './providers/factory';
import { createPreviews } from './storage/previews.handlers';
import { createStorageHandlers } from './storage/storage.handlers';
import { createUploadHandlers } from './storage/uploads.handlers';
import { createVersionHandlers } from './storage/versions.handlers';

const log = createLogger('engine');

export interface EngineOptions {
  /** Where accounts.json, secrets.bin (and later the job journals) live. */
  dataDir: string;
  /** How secrets are sealed at rest: safeStorage in the desktop shell, a key file in the served mode and tests. */
  cipher: SecretCipher;
  /** Tuning passed to every provider (tests lower multipart sizes). */
  providerOptions?: ProviderOptions;
  /** Microsoft Entra ID sign-in: the desktop signs in with a browser (the default), the served mode with a device code. */
  entra?: AzureIdentityOptions;
}

/**
 * The engine the shells serve: one context (accounts, cached providers, events) and one handler table composed
 * from each domain's handler file. Add a domain by spreading its handlers below. The table's type needs a handler
 * for every channel of the contract, so a channel without one does not compile; a channel that a mode cannot serve
 * has a handler that says so (dialogs.handlers.ts).
 */
export async function createEngine(options: EngineOptions): Promise<Engine & { context: EngineContext }> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const accounts = await openAccountStore(options.dataDir, options.cipher);
  const listeners = new Set<EventListener>();
  const identities = createAzureIdentities(options.entra ?? { interactive: 'browser' }, {
    prompt: (prompt) => context.emit('entra:deviceCode', prompt),
    done: (ok) => context.emit('entra:deviceCodeDone', { ok }),
  });
  // A role that asks for MFA gets its code from the user, through an event and a channel (accounts/identities/).
  const mfa = createMfaBroker((event, payload) => context.emit(event, payload));
  const providerOptions: ProviderOptions = {
    ...options.providerOptions,
    azureCredential: (s) => identities.credential(s.entra ?? { credential: 'azureCli' }),
    mfaCode: mfa.ask,
  };
  const providers = createProviderRegistry(accounts, providerOptions);

  const context: EngineContext = {
    dataDir: options.dataDir,
    accounts,
    providers,
    providerOptions,
    emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
      for (const listener of listeners) {
        try {
          listener(event, payload);
        } catch (e) {
          // One broken subscriber (a closed socket) must not stop the others.
          log.warn(`an event listener failed on ${event}`, e);
        }
      }
    },
  };

  // The cost history (dataDir/costs/history.jsonl): finished scans, jobs and migration runs, priced at the catalog.
  const catalog = createCatalogStore(options.dataDir);
  const history = createHistoryRecorder(openHistoryStore(options.dataDir), catalog, accounts, options.providerOptions?.multipart);

  // Transfer jobs: journals under dataDir/jobs; unfinished jobs of the last run resume now.
  const jobs = new JobManager({
    resolve: async (uri) => {
      const { provider, location } = providers.resolve(uri);
      return { provider, location, accountKey: `${location.kind}:${location.account}` };
    },
    journalDir: path.join(options.dataDir, 'jobs'),
    emit: context.emit,
    onFinished: (job) => void history.jobFinished(job),
    // Admission sizes large files by the providers' part size, so it must know the sizing they were built with.
    ...(options.providerOptions?.multipart ? { multipart: options.providerOptions.multipart } : {}),
  });
  jobs.restore();

  // Migrations: plans, runs and reports under dataDir/plans; estimates from the same price catalog as costs:*.
  const migrations = await createMigrationHandlers({
    dataDir: options.dataDir,
    resolve: (uri) => providers.resolve(uri),
    jobs,
    emit: context.emit,
    estimate: catalogEstimator(catalog, accounts),
    onRunFinished: (s) => history.migrationFinished(s),
  });

  const previews = createPreviews(context);
  // Cloud transfers (managed services' jobs): journaled in dataDir/cloud-transfers.json, driven by saved accounts.
  const cloudTransfers = await CloudTransferService.open({
    dataDir: options.dataDir,
    driverFor: (t) => connectDriver(t, accounts.get(t.connection.account)),
    emit: (t) => context.emit('cloudTransfers:progress', t),
  });

  const handlers: Handlers = {
    ...createAccountHandlers(context),
    ...createIdentityHandlers(mfa),
    ...createStorageHandlers(context),
    ...createVersionHandlers(context),
    ...previews.handlers,
    ...createUploadHandlers(context),
    ...createCostHandlers({ dataDir: context.dataDir, providers: context.providers, accounts: context.accounts, emit: context.emit, catalog, history }),
    ...createRetentionHandlers({ dataDir: context.dataDir, providers: context.providers, accounts: context.accounts, emit: context.emit, catalog, jobs }),
    ...createJobHandlers(jobs),
    ...migrations.handlers,
    ...createDialogHandlers(),
    ...createEntraHandlers(identities),
    ...createCloudTransferHandlers({ accounts, service: cloudTransfers }),
  };

  let closed = false;
  log.info(`engine started (secrets: ${options.cipher.description})`);
  return {
    context,
    invoke(channel, request, signal) {
      return dispatch(handlers, channel, request, signal ?? new AbortController().signal);
    },
    openPreview: previews.open,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await migrations.service.close();
      await jobs.close();
      await history.close();
      await providers.closeAll();
    },
  };
}
