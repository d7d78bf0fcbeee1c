import type { EventName, EventPayload } from '../../shared/contract';
import { InvalidInputError, NotFoundError } from '../../shared/errors';
import { LocationParseError, parseLocation, type Location } from '../../shared/location';
import type { AccountStore } from './accounts/account-store';
import { createLogger } from './log';
import { createProvider, type ProviderOptions } from './providers/factory';
import type { Provider } from './providers/provider';

const log = createLogger('providers');

const KIND_LABEL = { s3: 'an S3', gcs: 'a Google Cloud Storage', azure: 'an Azure', local: 'a local' } as const;
const SCHEME = { s3: 's3://', gcs: 'gs://', azure: 'az://', local: 'file://' } as const;

/** One cached Provider per account: built on first use, rebuilt after the account is saved, closed when removed. */
export interface ProviderRegistry {
  get(account: string): Provider;
  /** Parses a location URI and finds its account's provider; a NotFoundError for an unknown account. */
  resolve(uri: string): { provider: Provider; location: Location };
  closeAll(): Promise<void>;
}

/** What every domain's handlers share. Jobs and other domains add their handlers on top of the same context. */
export interface EngineContext {
  readonly dataDir: string;
  readonly accounts: AccountStore;
  readonly providers: ProviderRegistry;
  readonly providerOptions: ProviderOptions | undefined;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export function createProviderRegistry(accounts: AccountStore, options: ProviderOptions | undefined): ProviderRegistry {
  const cache = new Map<string, Provider>();

  const drop = (name: string): void => {
    const p = cache.get(name);
    if (!p) return;
    cache.delete(name);
    // Calls already running on the old provider finish on it; new calls get a fresh one.
    p.close?.().catch((e: unknown) => log.warn(`closing the provider of ${name} failed`, e));
  };
  accounts.onChange(drop);

  const registry: ProviderRegistry = {
    get(account) {
      const cached = cache.get(account);
      if (cached) return cached;
      const { settings, secrets } = accounts.require(account);
      const provider = createProvider(settings, secrets, options);
      cache.set(account, provider);
      return provider;
    },

    resolve(uri) {
      let location: Location;
      try {
        location = parseLocation(uri);
      } catch (e) {
        if (e instanceof LocationParseError) throw new InvalidInputError(e.message);
        throw e;
      }
      const found = accounts.get(location.account);
      if (!found) throw new NotFoundError(`There is no account named "${location.account}": add it in Accounts`);
      if (found.settings.kind !== location.kind) {
        const kind = found.settings.kind;
        throw new InvalidInputError(`"${location.account}" is ${KIND_LABEL[kind]} account: its locations start with ${SCHEME[kind]}${location.account}/`);
      }
      return { provider: registry.get(location.account), location };
    },

    async closeAll() {
      const all = [...cache.values()];
      cache.clear();
      await Promise.all(all.map((p) => p.close?.().catch(() => undefined)));
    },
  };
  return registry;
}
