import type { AccountInput } from '../../../shared/accounts';
import type { Handler } from '../dispatch';
import type { EngineContext } from '../context';
import { describeFeatures } from '../providers/provider';
import { registerSecretValues, type SecretValues } from './account-store';
import { testConnection } from './test-connection';

export interface AccountHandlers {
  'accounts:list': Handler<'accounts:list'>;
  'accounts:save': Handler<'accounts:save'>;
  'accounts:remove': Handler<'accounts:remove'>;
  'accounts:test': Handler<'accounts:test'>;
  'accounts:features': Handler<'accounts:features'>;
}

/** Secrets the dialog sent, as plain field values; blank fields mean "keep the saved one". */
function secretsOf(input: AccountInput): SecretValues | undefined {
  const out: SecretValues = {};
  for (const [k, v] of Object.entries(input.secrets ?? {})) if (typeof v === 'string' && v !== '') out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** Settings plus `hasSecrets` go out; secret values never leave the engine. */
export function createAccountHandlers(ctx: EngineContext): AccountHandlers {
  return {
    'accounts:list': async () => ctx.accounts.list(),

    'accounts:save': async ({ account, previousName }) => ctx.accounts.save(account, previousName),

    'accounts:remove': async ({ name }) => {
      await ctx.accounts.remove(name);
      return { ok: true as const };
    },

    'accounts:test': async (request, { signal }) => {
      if ('name' in request) {
        const { settings, secrets } = ctx.accounts.require(request.name);
        return testConnection(settings, secrets, { providerOptions: ctx.providerOptions, signal });
      }
      const { secrets: _typed, ...settings } = request.account;
      const given = secretsOf(request.account);
      registerSecretValues(given);
      // An edit may test without retyping the secret: the saved one of the account being edited, of the same kind,
      // and only while it would go where it was entered for.
      const secrets = given ?? ctx.accounts.secretsFor(request.previousName ?? settings.name, settings);
      return testConnection(settings, secrets, { providerOptions: ctx.providerOptions, signal });
    },

    'accounts:features': async ({ name }) => describeFeatures(ctx.providers.get(name)),
  };
}
