import type { AccountSettings } from '../../../shared/accounts';
import type { cloudTransferChannels } from '../../../shared/contract/cloud-transfer.channels';
import { InvalidInputError } from '../../../shared/errors';
import { parseLocation, type Location } from '../../../shared/location';
import type { Handler } from '../dispatch';
import type { ChannelRequestParsed } from '../../../shared/contract';
import type { AccountWithSecrets, ConnectOptions } from './connect';
import { createAndRun, previewCreation, type CreateInput } from './create';
import { serviceFee } from './fees';
import { engineName, routeTransfer } from './routing';
import type { CloudTransferService } from './service';

export type CloudTransferChannelName = keyof typeof cloudTransferChannels;
export type CloudTransferHandlers = { [C in CloudTransferChannelName]: Handler<C> };

export interface CloudTransferHandlerDeps {
  accounts: { get(name: string): AccountWithSecrets | undefined };
  service: CloudTransferService;
  connect?: ConnectOptions;
}

export function createCloudTransferHandlers(deps: CloudTransferHandlerDeps): CloudTransferHandlers {
  const end = (uri: string): { location: Location; settings: AccountSettings } => {
    const location = parseLocation(uri);
    const account = deps.accounts.get(location.account);
    if (account) return { location, settings: account.settings };
    // The built-in local account has no saved settings; any other unknown name is the user's mistake.
    if (location.kind === 'local') return { location, settings: { kind: 'local', name: location.account, root: '/' } };
    throw new InvalidInputError(`No account named ${location.account}`);
  };

  const routeOf = (req: ChannelRequestParsed<'cloudTransfers:route'>) => {
    const reach = deps.connect?.reach;
    const route = routeTransfer({ source: end(req.source), destination: end(req.destination), mode: req.mode, deletionsEnabled: req.deletionsEnabled, filters: req.filters, ...(reach ? { reach } : {}) });
    return { route, routeOut: { ...route, engineName: engineName(route.engine), fee: serviceFee(route.engine, req.bytes) } };
  };

  const createInput = (req: ChannelRequestParsed<'cloudTransfers:create'>): CreateInput => {
    const { route, routeOut } = routeOf(req);
    const sourceAccount = deps.accounts.get(parseLocation(req.source).account);
    if (!sourceAccount) throw new InvalidInputError(`No account named ${parseLocation(req.source).account}`);
    return {
      route,
      routeOut,
      source: req.source,
      destination: req.destination,
      sourceAccount,
      connection: req.connection,
      driving: deps.accounts.get(req.connection.account),
      ...(req.migrationId ? { migrationId: req.migrationId } : {}),
      ...(req.roleArn ? { roleArn: req.roleArn } : {}),
      ...(req.hmac ? { hmac: req.hmac } : {}),
      ...(req.mover ? { mover: req.mover } : {}),
      destinationAccount: deps.accounts.get(parseLocation(req.destination).account),
    };
  };

  return {
    'cloudTransfers:route': (req) => Promise.resolve(routeOf(req).routeOut),
    'cloudTransfers:preview': (req) => Promise.resolve(previewCreation(createInput(req))),
    'cloudTransfers:create': (req) => {
      const input = createInput(req);
      const preview = previewCreation(input);
      if (preview.unmapped.length > 0 && !req.acceptUnmapped) return Promise.reject(new InvalidInputError(`The service cannot apply: ${preview.unmapped.join('; ')}. Accept this to go on`));
      return createAndRun(deps.service, input, deps.connect);
    },
    'cloudTransfers:list': () => Promise.resolve(deps.service.list()),
    'cloudTransfers:refresh': (req) => deps.service.refresh(req.id),
    'cloudTransfers:pause': async (req) => {
      await deps.service.pause(req.id);
      return { ok: true };
    },
    'cloudTransfers:resume': async (req) => {
      await deps.service.resume(req.id);
      return { ok: true };
    },
    'cloudTransfers:cancel': async (req) => {
      await deps.service.cancel(req.id);
      return { ok: true };
    },
    'cloudTransfers:remove': async (req) => {
      await deps.service.remove(req.id);
      return { ok: true };
    },
    'cloudTransfers:clearFinished': () => deps.service.clearFinished(),
  };
}
