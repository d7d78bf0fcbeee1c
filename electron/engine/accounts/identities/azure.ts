import {
  AzureCliCredential,
  CredentialUnavailableError,
  type AccessToken,
  type GetTokenOptions,
  type TokenCredential,
} from '@azure/identity';
import type { EntraCredential, EntraIdentity } from '../../../../shared/accounts';
import type { EntraDeviceCode } from '../../../../shared/contract';
import { AccessDeniedError, CancelledError, InvalidInputError, SkyferryError } from '../../../../shared/errors';
import { createLogger, redact, registerSecret } from '../../log';
import type { SecretCipher } from '../secret-store';
import { PUBLIC_AUTHORITY_HOST, publicClientCredential } from './entra-public-client';
import { sealedTokenCache, type SealedTokenCache } from './token-cache';

const log = createLogger('entra');

/** Azure Resource Manager's token audience (the public cloud's; a stand-in endpoint still takes its tokens). */
export const ARM_SCOPE = 'https://management.azure.com/.default';
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export interface AzureIdentityOptions {
  /** How this mode signs in when the Azure CLI has no login: a browser on the desktop, a device code when served. */
  interactive: 'browser' | 'deviceCode';
  /** Entra's authority host (a sovereign cloud, a test's stand-in); @azure/identity reads AZURE_AUTHORITY_HOST otherwise. */
  authorityHost?: string;
  /**
   * Skip Entra's instance discovery. Without it: skipped for an authority host that is not one of Microsoft's
   * clouds (Azure Stack's AD FS, a stand-in), whose metadata MSAL then reads from the host itself.
   */
  disableInstanceDiscovery?: boolean;
  /** Azure Resource Manager's endpoint; SKYFERRY_ARM_ENDPOINT or https://management.azure.com. */
  armEndpoint?: string;
  /**
   * Shows Entra's sign-in page for a browser sign-in: the desktop shell's `shell.openExternal`, a test's stand-in
   * user; the system's default browser (the `open` package) otherwise.
   */
  openBrowser?: (url: string) => Promise<void>;
}

/** Where browser and device-code sign-ins are kept across restarts: a file sealed by the engine's cipher. */
export interface SignInStore {
  file: string;
  cipher: SecretCipher;
}

export interface AzureIdentities {
  /** The one credential of an identity (kind + tenant), kept for the engine's life so its tokens are reused. */
  credential(identity: EntraIdentity): TokenCredential;
  /**
   * Signs in now, prompting when needed ("auto": the Azure CLI's login when present, else this mode's interactive
   * way), and says which credential worked.
   */
  signIn(request: { credential: 'auto' | EntraCredential; tenantId?: string }, signal: AbortSignal): Promise<EntraIdentity>;
  readonly armEndpoint: string;
  /** Resolves when every sign-in made so far is saved. */
  flush(): Promise<void>;
}

/**
 * Every token is registered with the logger (so that no log line, error or report can carry it) and interactive
 * credentials get one token at a time, so that two first requests make one prompt, not two.
 */
function guarded(inner: TokenCredential, oneAtATime: boolean, settled?: (ok: boolean) => void): TokenCredential {
  let queue: Promise<unknown> = Promise.resolve();
  const get = async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> => {
    let ok = false;
    try {
      const token = await inner.getToken(scopes, options);
      if (!token) throw new CredentialUnavailableError('No token was returned');
      registerSecret(token.token);
      ok = true;
      return token;
    } finally {
      settled?.(ok);
    }
  };
  return {
    getToken(scopes, options) {
      if (!oneAtATime) return get(scopes, options);
      const run = queue.then(() => get(scopes, options), () => get(scopes, options));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** What went wrong in a sign-in, in words, never with a token or a URL's query. */
export function signInError(e: unknown, identity: { credential: string; tenantId?: string }): SkyferryError {
  if (e instanceof SkyferryError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const first = redact(raw.split('\n')[0] ?? '').replace(/\?\S*/g, '').slice(0, 300);
  if (e instanceof Error && (e.name === 'AbortError' || /aborted/i.test(raw))) return new CancelledError('The sign-in was cancelled');
  const how = identity.credential === 'azureCli' ? 'the Azure CLI' : identity.credential === 'browser' ? 'the browser sign-in' : 'the device-code sign-in';
  if (e instanceof CredentialUnavailableError && identity.credential === 'azureCli') {
    return new InvalidInputError(`The Azure CLI has no usable login${identity.tenantId ? ` for tenant ${identity.tenantId}` : ''}: run "az login"${identity.tenantId ? ` --tenant ${identity.tenantId}` : ''} and try again (${first})`);
  }
  return new AccessDeniedError(`Signing in with Microsoft Entra ID through ${how} failed: ${first}`);
}

/** What a device-code sign-in tells the user: the code to enter, then that it ended. */
export interface DeviceCodeEvents {
  prompt(prompt: EntraDeviceCode): void;
  done(ok: boolean): void;
}

/** The authority hosts of Microsoft's clouds, which Entra's instance discovery knows. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

function isMicrosoftAuthorityHost(authorityHost: string): boolean {
  try {
    return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}

async function systemBrowser(url: string): Promise<void> {
  const open = await import('open');
  await open.default(url);
}

/**
 * The engine's Entra identities. The Azure CLI's login is the CLI's own (`az account get-access-token`); browser
 * and device-code sign-ins are MSAL public-client sign-ins whose accounts and tokens are kept in `store` (sealed
 * with the engine's cipher), one partition per identity, so that a restart does not ask again.
 */
export function createAzureIdentities(options: AzureIdentityOptions, events: DeviceCodeEvents, store?: SignInStore): AzureIdentities {
  const cache = new Map<string, TokenCredential>();
  const tokens: SealedTokenCache | undefined = store ? sealedTokenCache(store.file, store.cipher) : undefined;
  const authorityHost = options.authorityHost ?? process.env.AZURE_AUTHORITY_HOST ?? PUBLIC_AUTHORITY_HOST;
  const common = {
    authorityHost,
    ...((options.disableInstanceDiscovery ?? !isMicrosoftAuthorityHost(authorityHost)) ? { disableInstanceDiscovery: true } : {}),
  };
  const keyOf = (identity: EntraIdentity): string => `${identity.credential}|${(identity.tenantId ?? '').toLowerCase()}`;
  const armEndpoint = (options.armEndpoint ?? process.env.SKYFERRY_ARM_ENDPOINT ?? 'https://management.azure.com').replace(/\/+$/, '');

  const build = (identity: EntraIdentity): TokenCredential => {
    const tenantId = identity.tenantId || undefined;
    switch (identity.credential) {
      case 'azureCli':
        return guarded(new AzureCliCredential({ ...(tenantId ? { tenantId } : {}) }), false);
      case 'browser': {
        const openBrowser = options.openBrowser ?? systemBrowser;
        const credential = publicClientCredential({
          ...common,
          ...(tenantId ? { tenantId } : {}),
          ...(tokens ? { cachePlugin: tokens.plugin(keyOf(identity)) } : {}),
          interaction: {
            kind: 'browser',
            openBrowser: async (url) => {
              log.info('browser sign-in: showing Entra\'s sign-in page');
              await openBrowser(url);
            },
          },
        });
        return guarded(credential, true);
      }
      case 'deviceCode': {
        // The token request that showed a code says when it ends, so that the app can take the code away.
        let prompted = false;
        const credential = publicClientCredential({
          ...common,
          ...(tenantId ? { tenantId } : {}),
          ...(tokens ? { cachePlugin: tokens.plugin(keyOf(identity)) } : {}),
          interaction: {
            kind: 'deviceCode',
            prompt: (info) => {
              prompted = true;
              log.info(`device-code sign-in waiting for the user at ${info.verificationUri}`);
              events.prompt(info);
            },
          },
        });
        return guarded(credential, true, (ok) => {
          if (prompted) events.done(ok);
          prompted = false;
        });
      }
    }
  };

  const credential = (identity: EntraIdentity): TokenCredential => {
    const key = keyOf(identity);
    let found = cache.get(key);
    if (!found) {
      found = build(identity);
      cache.set(key, found);
    }
    return found;
  };

  const tryOne = async (identity: EntraIdentity, signal: AbortSignal): Promise<EntraIdentity> => {
    try {
      await credential(identity).getToken(ARM_SCOPE, { abortSignal: signal });
      return identity;
    } catch (e) {
      throw signal.aborted ? new CancelledError('The sign-in was cancelled') : e;
    }
  };

  return {
    credential,
    armEndpoint,
    flush: () => tokens?.flush() ?? Promise.resolve(),
    async signIn(request, signal) {
      const tenantId = request.tenantId || undefined;
      if (request.credential !== 'auto') {
        try {
          return await tryOne({ credential: request.credential, tenantId }, signal);
        } catch (e) {
          throw signInError(e, { credential: request.credential, tenantId });
        }
      }
      try {
        return await tryOne({ credential: 'azureCli', tenantId }, signal);
      } catch (e) {
        if (!(e instanceof CredentialUnavailableError)) throw signInError(e, { credential: 'azureCli', tenantId });
        log.info(`the Azure CLI has no usable login; signing in with ${options.interactive === 'browser' ? 'a browser' : 'a device code'}`);
      }
      try {
        return await tryOne({ credential: options.interactive, tenantId }, signal);
      } catch (e) {
        throw signInError(e, { credential: options.interactive, tenantId });
      }
    },
  };
}
