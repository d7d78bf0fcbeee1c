import { InvalidInputError } from '../../../shared/errors';
import { parseLocation } from '../../../shared/location';
import type { Provider } from '../providers/provider';
import type { Resolved, Resolver } from '../jobs/types';

/** A resolver over a fixed set of accounts by name, as the engine context gives one (tests, benchmarks). */
export function resolverFor(accounts: Readonly<Record<string, Provider>>): Resolver {
  return async (uri: string): Promise<Resolved> => {
    const location = parseLocation(uri);
    const provider = accounts[location.account];
    if (!provider) throw new InvalidInputError(`No account "${location.account}"`);
    return { provider, location, accountKey: `${location.kind}:${location.account}` };
  };
}
