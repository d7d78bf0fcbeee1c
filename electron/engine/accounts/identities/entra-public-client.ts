import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { InteractionRequiredAuthError, LogLevel, PublicClientApplication, type AuthenticationResult, type DeviceCodeRequest, type ICachePlugin } from '@azure/msal-node';
import { CancelledError } from '../../../../shared/errors';
import { createLogger } from '../../log';

const log = createLogger('entra.msal');

/** The Azure CLI's public client ID (what @azure/identity's interactive credentials use): no app registration needed. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** What a device-code sign-in shows the user. */
export interface DeviceCodeInfo {
  userCode: string;
  verificationUri: string;
  message: string;
}

export type Interaction =
  /** Authorization code with PKCE: MSAL listens on a loopback port and `openBrowser` shows Entra's sign-in page. */
  | { kind: 'browser'; openBrowser: (url: string) => Promise<void> }
  | { kind: 'deviceCode'; prompt: (info: DeviceCodeInfo) => void };

export interface PublicClientOptions {
  tenantId?: string;
  /** Entra's authority host: a sovereign cloud's, or a test's stand-in (with disableInstanceDiscovery). */
  authorityHost: string;
  disableInstanceDiscovery?: boolean;
  /** Where MSAL keeps this identity's accounts and tokens (kept in memory only without one). */
  cachePlugin?: ICachePlugin;
  interaction: Interaction;
}

const SUCCESS_PAGE = '<!doctype html><meta charset="utf-8"><title>Skyferry</title><p>You are signed in to Skyferry. You can close this tab.</p>';
const ERROR_PAGE = '<!doctype html><meta charset="utf-8"><title>Skyferry</title><p>The sign-in did not complete. Return to Skyferry to try again.</p>';

function aborted(signal: GetTokenOptions['abortSignal']): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(new CancelledError('The sign-in was cancelled'));
    signal?.addEventListener('abort', () => reject(new CancelledError('The sign-in was cancelled')), { once: true });
  });
}

/**
 * A TokenCredential on MSAL's public client for a person's Entra sign-in: silently from the account in its cache
 * (a refresh-token grant when the access token has expired), else interactively (a browser or a device code). One
 * MSAL application serves every resource, so Resource Manager and Storage share one sign-in; it asks for CAE tokens
 * (client capability cp1), as the Azure SDKs expect. The cache plugin, when given, keeps the sign-in across restarts.
 */
export function publicClientCredential(options: PublicClientOptions): TokenCredential {
  const authority = `${options.authorityHost.replace(/\/+$/, '')}/${options.tenantId || 'organizations'}`;
  const app = new PublicClientApplication({
    auth: {
      clientId: AZURE_CLI_CLIENT_ID,
      authority,
      ...(options.disableInstanceDiscovery ? { knownAuthorities: [authority] } : {}),
      clientCapabilities: ['cp1'],
    },
    ...(options.cachePlugin ? { cache: { cachePlugin: options.cachePlugin } } : {}),
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (level <= LogLevel.Warning) log.warn(message);
        },
      },
    },
  });

  const interactive = async (scopes: string[], getOptions: GetTokenOptions | undefined): Promise<AuthenticationResult | null> => {
    const claims = getOptions?.claims;
    if (options.interaction.kind === 'browser') {
      const { openBrowser } = options.interaction;
      return Promise.race([
        app.acquireTokenInteractive({ scopes, openBrowser, successTemplate: SUCCESS_PAGE, errorTemplate: ERROR_PAGE, prompt: 'select_account', ...(claims ? { claims } : {}) }),
        aborted(getOptions?.abortSignal),
      ]);
    }
    const { prompt } = options.interaction;
    const request: DeviceCodeRequest = {
      scopes,
      deviceCodeCallback: (info) => prompt({ userCode: info.userCode, verificationUri: info.verificationUri, message: info.message }),
      ...(claims ? { claims } : {}),
    };
    getOptions?.abortSignal?.addEventListener('abort', () => (request.cancel = true), { once: true });
    return Promise.race([app.acquireTokenByDeviceCode(request), aborted(getOptions?.abortSignal)]);
  };

  return {
    async getToken(scopes: string | string[], getOptions?: GetTokenOptions): Promise<AccessToken | null> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      const [account] = await app.getTokenCache().getAllAccounts();
      let result: AuthenticationResult | null = null;
      if (account) {
        try {
          result = await app.acquireTokenSilent({ account, scopes: list, ...(getOptions?.claims ? { claims: getOptions.claims } : {}) });
        } catch (e) {
          // A refresh token that expired or was revoked, or a policy that wants the user again: ask the user.
          if (!(e instanceof InteractionRequiredAuthError)) throw e;
          log.info('the saved Entra sign-in needs the user again');
        }
      }
      result ??= await interactive(list, getOptions);
      if (!result?.accessToken || !result.expiresOn) return null;
      return {
        token: result.accessToken,
        expiresOnTimestamp: result.expiresOn.getTime(),
        ...(result.refreshOn ? { refreshAfterTimestamp: result.refreshOn.getTime() } : {}),
        tokenType: 'Bearer',
      };
    },
  };
}
