import type { Handler } from '../dispatch';
import type { AzureIdentities } from './identities/azure';
import { listContainers, listStorageAccounts, listSubscriptions } from './identities/azure-resources';

export interface EntraHandlers {
  'entra:signIn': Handler<'entra:signIn'>;
  'entra:storageAccounts': Handler<'entra:storageAccounts'>;
  'entra:containers': Handler<'entra:containers'>;
}

/** Sign-in and Resource Manager listings for the account dialog; tokens stay in `identities`. */
export function createEntraHandlers(identities: AzureIdentities): EntraHandlers {
  return {
    'entra:signIn': async (request, { signal }) => {
      const identity = await identities.signIn(request, signal);
      const subscriptions = await listSubscriptions(identities.credential(identity), identities.armEndpoint, signal);
      return { identity, subscriptions };
    },
    'entra:storageAccounts': async ({ identity, subscriptionId }, { signal }) =>
      listStorageAccounts(identities.credential(identity), identities.armEndpoint, subscriptionId, signal),
    'entra:containers': async ({ identity, storageAccountId }, { signal }) =>
      listContainers(identities.credential(identity), identities.armEndpoint, storageAccountId, signal),
  };
}
