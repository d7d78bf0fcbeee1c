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
import { Bandwidth } from './bandwidth/limiter';
import { createProviderRegistry, type EngineContext } from './context';
import { createCatalogStore } from './costs/catalog-store';
import { createCostHandlers } from './costs/costs.handlers';
import { createHistoryRecorder } from './costs/history';
import { openHistoryStore } from './costs/history-store';
import { createRetentionHandlers } from './costs/retention.handlers';
import { createCloudTransferHandlers } from './cloud-transfer/cloud-transfer.handlers';
import { verifyAfterRun } from './cloud-transfer/after-run';
import { connectDriver, standInFromEnv, type ConnectOptions } from './cloud-transfer/connect';
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
import { startRun } from './schedules/runs';
import { Scheduler, type ScheduleClock } from './schedules/scheduler';
import { createSettingsHandlers } from './schedules/settings.handlers';
import { FolderSync } from './sync/folder-sync';
import { boundOldSpace } from './old-generation';
import { capNewSpace, paceScavenges, relaying } from './young-generation';
import { InvalidInputError, NotFoundError } from '../../shared/errors';

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
  /** Wall-clock time and timer of the bandwidth timetable and the schedules (tests use a fake one). */
  clock?: ScheduleClock;
  /** How long a folder kept in sync must be quiet before its changes are sent (default 2 s). */
  syncQuietMs?: number;
  /**
   * Run the saved schedules and keep the synced folders in sync (default yes: the desktop app and the served
   * mode). The command line says no: a one-off command must not start the app's background runs.
   */
  background?: boolean;
  /** Where V8's new space stops growing in this process (young-generation.ts; default 32 MiB), or false to let V8 grow it. */
  newSpaceBytes?: number | false;
  /** How far the old space grows past the last full collection before the engine asks for one (old-generation.ts; default 48 MiB), or false for V8's own limits. */
  oldSpaceHeadroomBytes?: number | false;
  /** How far ArrayBuffers' memory grows while bytes are relayed before the engine asks for a scavenge (young-generation.ts; default 4 MiB), or false to leave it to V8. */
  scavengeAfterBytes?: number | false;
}

/**
 * The engine the shells serve: one context (accounts, cached providers, events) and one handler table composed
 * from each domain's handler file. Add a domain by spreading its handlers below. The table's type needs a handler
 * for every channel of the contract, so a channel without one does not compile; a channel that a mode cannot serve
 * has a handler that says so (dialogs.handlers.ts).
 */
export interface EngineParts {
  context: EngineContext;
  bandwidth: Bandwidth;
  scheduler: Scheduler;
  sync: FolderSync;
}

export async function createEngine(options: EngineOptions): Promise<Engine & EngineParts> {
  // The engine's garbage dies young (requests, stream chunks): a smaller new space holds less of it committed.
  capNewSpace(options.newSpaceBytes === false ? Infinity : options.newSpaceBytes);
  // Its requests in flight outlive scavenges and die in the old space: collected at tens of MB, not hundreds.
  boundOldSpace(options.oldSpaceHeadroomBytes === false ? Infinity : options.oldSpaceHeadroomBytes);
  // The Buffers of the chunks it relays live outside V8's heap until a collection: a scavenge every few MB of them.
  paceScavenges(options.scavengeAfterBytes === false ? Infinity : options.scavengeAfterBytes);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const accounts = await openAccountStore(options.dataDir, options.cipher);
  const listeners = new Set<EventListener>();
  const identities = createAzureIdentities(
    options.entra ?? { interactive: 'browser' },
    {
      prompt: (prompt) => context.emit('entra:deviceCode', prompt),
      done: (ok) => context.emit('entra:deviceCodeDone', { ok }),
    },
    // Browser and device-code sign-ins survive a restart, sealed like the saved secrets.
    { file: path.join(options.dataDir, 'entra-sign-ins.bin'), cipher: options.cipher },
  );
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

  // Bandwidth limits (dataDir/bandwidth.json): the relay passes every job's bytes through them.
  const bandwidth = new Bandwidth({ dataDir: options.dataDir, ...(options.clock ? { wallClock: () => options.clock?.now() ?? new Date() } : {}) });
  await bandwidth.load();

  // Transfer jobs: journals under dataDir/jobs; unfinished jobs of the last run resume now (a command's engine, not
  // in the background, leaves them until `jobs:resume` names one).
  const jobs = new JobManager({
    holdRestored: options.background === false,
    resolve: async (uri) => {
      const { provider, location } = providers.resolve(uri);
      return { provider, location, accountKey: `${location.kind}:${location.account}` };
    },
    journalDir: path.join(options.dataDir, 'jobs'),
    emit: context.emit,
    onFinished: (job) => {
      bandwidth.forgetJob(job.summary.id);
      void history.jobFinished(job);
    },
    throttle: (jobId, from, to, signal, limit) => bandwidth.stream(jobId, from, to, signal, limit),
    localLimited: (jobId, limit) => bandwidth.localLimited(jobId, limit),
    relaying,
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
  // Each run followed from here; when it ends, the plan's own verification, report and cost record.
  const transferStandIn = standInFromEnv();
  // Storage Mover is driven with an Azure account's Entra ID sign-in, the same credential its blobs are read with.
  const transferConnect: ConnectOptions = { ...transferStandIn?.connect, azureCredential: providerOptions.azureCredential };
  const cloudTransfers = await CloudTransferService.open({
    dataDir: options.dataDir,
    driverFor: (t) => connectDriver(t, accounts.get(t.connection.account), transferConnect),
    emit: (t) => context.emit('cloudTransfers:progress', t),
    onEnded: (t) => verifyAfterRun(migrations.service.runner, t),
    ...(transferStandIn?.pollMs ? { pollMs: transferStandIn.pollMs } : {}),
  });
  if (options.background !== false) cloudTransfers.watch();

  // Schedules (dataDir/schedules.json) and folders kept in sync (dataDir/sync.json) run the way the user's
  // clicks do, through the handlers above: each run shows in Transfers and in the cost history.
  const onEvent = (listener: (event: string, payload: unknown) => void): (() => void) => {
    const l: EventListener = (event, payload) => listener(event, payload);
    listeners.add(l);
    return () => listeners.delete(l);
  };
  // `handlers` is read when a run starts, after the table below exists.
  const runDeps = {
    get handlers(): Handlers {
      return handlers;
    },
    runProfilePaths: (name: string, paths: readonly string[]) => migrations.runProfile(name, paths),
    onEvent,
  };
  const scheduler = new Scheduler({
    dataDir: options.dataDir,
    ...(options.clock ? { clock: options.clock } : {}),
    run: (target) => startRun(runDeps, target),
    notify: (notice) => context.emit('schedules:notice', notice),
    passive: options.background === false,
  });
  const sync = new FolderSync({
    dataDir: options.dataDir,
    ...(options.syncQuietMs === undefined ? {} : { quietMs: options.syncQuietMs }),
    folderOf: async (name) => {
      const profile = (await handlers['profiles:list']({}, { signal: new AbortController().signal })).find((p) => p.name === name);
      if (!profile) throw new InvalidInputError(`There is no migration profile named "${name}"`);
      const { location } = providers.resolve(profile.request.source);
      const settings = accounts.get(location.account)?.settings;
      if (settings?.kind !== 'local') throw new InvalidInputError(`"${name}" copies from ${profile.request.source}: only a profile whose source is a local folder can be kept in sync`);
      return path.resolve(settings.root, location.bucket, location.key);
    },
    run: (name, paths) => startRun(runDeps, { type: 'profile', name }, paths),
    emit: (status) => context.emit('sync:changed', status),
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
    // A removed profile takes its schedules and its keep-in-sync with it.
    'profiles:remove': async (request, ctx) => {
      const answer = await migrations.handlers['profiles:remove'](request, ctx);
      await scheduler.forgetProfile(request.name);
      if (sync.list().some((s) => s.profile === request.name)) await sync.stop(request.name);
      return answer;
    },
    ...createDialogHandlers(),
    ...createEntraHandlers(identities),
    ...createCloudTransferHandlers({ accounts, service: cloudTransfers, connect: transferConnect }),
    ...createSettingsHandlers({
      bandwidth,
      scheduler,
      sync,
      requireJob: (id) => jobs.get(id),
      checkTarget: async (target) => {
        if (target.type === 'scan') {
          providers.resolve(target.uri);
          return;
        }
        const profiles = await migrations.handlers['profiles:list']({}, { signal: new AbortController().signal });
        if (!profiles.some((p) => p.name === target.name)) throw new NotFoundError(`There is no migration profile named "${target.name}": save it first`);
      },
    }),
  };

  await scheduler.start();
  if (options.background !== false) await sync.restore();

  let closed = false;
  log.info(`engine started (secrets: ${options.cipher.description})`);
  return {
    context,
    bandwidth,
    scheduler,
    sync,
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
      bandwidth.close();
      await scheduler.close();
      await sync.close();
      await cloudTransfers.close();
      await migrations.service.close();
      await jobs.close();
      await history.close();
      await providers.closeAll();
      await identities.flush();
    },
  };
}
