/**
 * Stand-ins for Microsoft Entra ID at its process and HTTP boundaries, for tests of the Entra sign-in: an `az`
 * script that answers `az account get-access-token` as the Azure CLI does, an HTTPS authority that answers MSAL's
 * device-code and authorization-code (PKCE, form_post to a loopback redirect) flows, a stand-in user who signs in
 * on the page a browser sign-in opens, and an HTTPS Azure Resource Manager that lists subscriptions, storage accounts and containers
 * in the published API shapes with nextLink paging. Tokens are unsigned JWTs: Azurite's `--oauth basic` checks the
 * audience and issuer, not the signature.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { SelfSignedPair } from '../../../tools/emulators/tls';

export const TEST_TENANT = '0b3b5d5e-0000-4000-8000-00000000e17a';
export const STORAGE_AUDIENCE = 'https://storage.azure.com';
export const ARM_AUDIENCE = 'https://management.azure.com';

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT as Entra issues them (v1 issuer), valid for an hour. */
export function fakeJwt(aud: string, extra: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud, iss: `https://sts.windows.net/${TEST_TENANT}/`, iat: now - 60, nbf: now - 60, exp: now + 3600, tid: TEST_TENANT, oid: 'stand-in-user', ...extra };
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c3RhbmQtaW4`;
}

/** Trusts `pem` (a test's self-signed certificate) for every TLS client of this process, besides the usual roots. */
export function trustCertificate(pem: string): void {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pem]);
}

export interface AzStandIn {
  /** The folder holding `az`: put it first on PATH. */
  binDir: string;
  /** Each call's arguments, one line per call. */
  argsFile: string;
}

/**
 * An `az` that prints a token for `--resource` in the Azure CLI's JSON (accessToken, expiresOn, expires_on,
 * tenant, tokenType), as AzureCliCredential runs it; `storageAudience` puts another audience in storage tokens.
 */
export async function writeAzStandIn(options: { storageAudience?: string } = {}): Promise<AzStandIn> {
  const binDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-az-'));
  const argsFile = path.join(binDir, 'calls.txt');
  const expires = Math.floor(Date.now() / 1000) + 3600;
  const answer = (aud: string): string =>
    JSON.stringify({ accessToken: fakeJwt(aud), expiresOn: new Date(expires * 1000).toISOString().replace('T', ' ').slice(0, 19), expires_on: expires, subscription: 'sub-one', tenant: TEST_TENANT, tokenType: 'Bearer' });
  const script = `#!/bin/sh
echo "$*" >> '${argsFile}'
if [ "$1" != "account" ] || [ "$2" != "get-access-token" ]; then echo "ERROR: stand-in az only gets tokens" >&2; exit 2; fi
resource=""
while [ $# -gt 0 ]; do if [ "$1" = "--resource" ]; then resource="$2"; fi; shift; done
case "$resource" in
  ${STORAGE_AUDIENCE}) echo '${answer(options.storageAudience ?? STORAGE_AUDIENCE)}' ;;
  ${ARM_AUDIENCE}) echo '${answer(ARM_AUDIENCE)}' ;;
  *) echo "ERROR: no token for $resource" >&2; exit 1 ;;
esac
`;
  await writeFile(path.join(binDir, 'az'), script);
  await chmod(path.join(binDir, 'az'), 0o755);
  return { binDir, argsFile };
}

interface HttpsStandIn {
  /** https://127.0.0.1:PORT */
  origin: string;
  /** Each request as "METHOD path?query". */
  requests: string[];
  stop(): Promise<void>;
}

type Answer = { status: number; json: unknown } | { status: number; html: string };

async function serveHttps(pair: SelfSignedPair, handle: (req: IncomingMessage, body: string, origin: string) => Answer): Promise<HttpsStandIn> {
  const requests: string[] = [];
  let origin = '';
  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const out = handle(req, body, origin);
      if ('html' in out) {
        res.writeHead(out.status, { 'content-type': 'text/html; charset=utf-8' });
        res.end(out.html);
        return;
      }
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface EntraAuthorityStandIn extends HttpsStandIn {
  /** The authorityHost for @azure/identity (with disableInstanceDiscovery). */
  authorityHost: string;
  userCode: string;
  /** Browser sign-ins completed (authorization codes redeemed). */
  readonly codeSignIns: number;
  /** Refuse refresh-token grants with invalid_grant while true (a revoked sign-in). */
  revokeRefreshTokens: boolean;
}

/** The audience a token for these scopes is for: the resource of the first non-OIDC scope. */
function audienceOf(scope: string): string {
  const resource = scope.split(' ').find((s) => s.includes('://')) ?? '';
  return resource.replace(/\/\.default$/, '');
}

export interface EntraStandInOptions {
  /**
   * The device-code grant waits for a person: /token answers "authorization_pending" until the code is entered on
   * the /devicelogin page (a form, as Entra's). Without it the grant succeeds after one "authorization_pending".
   */
  userEntersCode?: boolean;
}

/**
 * Entra's v2 endpoints for a device-code sign-in: OpenID metadata, /devicecode, and /token answering
 * "authorization_pending" before the token (as while the user types the code), then refresh-token grants.
 */
export async function startEntraStandIn(pair: SelfSignedPair, options: EntraStandInOptions = {}): Promise<EntraAuthorityStandIn> {
  const userCode = 'SKYF-ERRY';
  let pendingOnce = true;
  /** Set when the code was entered on /devicelogin (only looked at with userEntersCode). */
  let codeEntered = false;
  const state = { codeSignIns: 0, revokeRefreshTokens: false };
  /** Authorization codes handed out and not yet redeemed, with what their request said. */
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string; nonce: string }>();
  const idToken = (clientId: string, origin: string, nonce?: string): string =>
    fakeJwt(clientId, { iss: `${origin}/${TEST_TENANT}/v2.0`, preferred_username: 'ada@example.test', name: 'Ada', sub: 'stand-in-sub', ver: '2.0', ...(nonce ? { nonce } : {}) });
  const tokens = (scope: string, clientId: string, origin: string, nonce?: string) => ({
    status: 200,
    json: {
      token_type: 'Bearer',
      scope,
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: fakeJwt(audienceOf(scope)),
      refresh_token: 'stand-in-refresh-token',
      id_token: idToken(clientId, origin, nonce),
      client_info: b64url({ uid: 'stand-in-user', utid: TEST_TENANT }),
    },
  });
  const server = await serveHttps(pair, (req, body, origin) => {
    const url = new URL(req.url ?? '/', origin);
    const form = new URLSearchParams(body);
    const tenant = url.pathname.split('/')[1] ?? TEST_TENANT;
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      const base = `${origin}/${tenant}`;
      return {
        status: 200,
        json: {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_types_supported: ['code'],
          tenant_region_scope: null,
        },
      };
    }
    if (url.pathname.endsWith('/oauth2/v2.0/authorize')) {
      // The page a browser shows: the stand-in user is signed in already and consents, so it answers at once with
      // the code, posted to the loopback redirect (response_mode=form_post) as Entra's page does.
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(redirectUri)) {
        return { status: 400, html: '<p>AADSTS900144: the request needs response_type=code, PKCE (S256) and a loopback redirect_uri</p>' };
      }
      const code = `stand-in-code-${randomBytes(8).toString('hex')}`;
      codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri, clientId: q.get('client_id') ?? '', nonce: q.get('nonce') ?? '' });
      const field = (name: string, value: string): string => `<input type="hidden" name="${name}" value="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`;
      return {
        status: 200,
        html: `<!doctype html><body onload="document.forms[0].submit()"><form method="post" action="${redirectUri}">${field('code', code)}${field('state', q.get('state') ?? '')}${field('client_info', b64url({ uid: 'stand-in-user', utid: TEST_TENANT }))}</form></body>`,
      };
    }
    if (url.pathname.endsWith('/oauth2/v2.0/devicecode')) {
      return {
        status: 200,
        json: {
          user_code: userCode,
          device_code: 'stand-in-device-code',
          verification_uri: `${origin}/devicelogin`,
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${origin}/devicelogin and enter the code ${userCode} to authenticate.`,
        },
      };
    }
    if (url.pathname === '/devicelogin') {
      // The page the device code is entered on: the stand-in user is signed in already, so the code is all it asks.
      const page = (message: string): Answer => ({
        status: 200,
        html: `<!doctype html><meta charset="utf-8"><title>Enter code</title><h1>Enter code</h1><p role="status">${message}</p><form method="post" action="/devicelogin"><label for="otc">Code</label> <input id="otc" name="otc" autocomplete="off"> <button type="submit">Next</button></form>`,
      });
      if (req.method !== 'POST') return page('Enter the code displayed on your app or device.');
      if ((form.get('otc') ?? '').trim().toUpperCase() !== userCode) return page('That code did not work. Check the code and try again.');
      codeEntered = true;
      return { status: 200, html: '<!doctype html><meta charset="utf-8"><title>Signed in</title><h1>Skyferry</h1><p role="status">You have signed in to Skyferry on your device. You may now close this window.</p>' };
    }
    if (url.pathname.endsWith('/oauth2/v2.0/token')) {
      const clientId = form.get('client_id') ?? '';
      const scope = form.get('scope') ?? '';
      if (form.get('grant_type') === 'device_code' || form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
        if (options.userEntersCode) {
          if (!codeEntered) return { status: 400, json: { error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.' } };
          return tokens(scope, clientId, origin);
        }
        if (pendingOnce) {
          pendingOnce = false;
          return { status: 400, json: { error: 'authorization_pending', error_description: 'AADSTS70016: pending' } };
        }
        return tokens(scope, clientId, origin);
      }
      if (form.get('grant_type') === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!code || code.redirectUri !== form.get('redirect_uri') || code.clientId !== clientId || createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
          return { status: 400, json: { error: 'invalid_grant', error_description: 'AADSTS70000: the code, its redirect URI or its PKCE verifier does not match' } };
        }
        state.codeSignIns++;
        return tokens(scope, clientId, origin, code.nonce);
      }
      if (form.get('grant_type') === 'refresh_token') {
        if (state.revokeRefreshTokens) return { status: 400, json: { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired due to inactivity.', suberror: 'bad_token' } };
        return tokens(scope, clientId, origin);
      }
      return { status: 400, json: { error: 'unsupported_grant_type' } };
    }
    return { status: 404, json: { error: 'not_found' } };
  });
  return {
    ...server,
    authorityHost: server.origin,
    userCode,
    get codeSignIns() {
      return state.codeSignIns;
    },
    get revokeRefreshTokens() {
      return state.revokeRefreshTokens;
    },
    set revokeRefreshTokens(value: boolean) {
      state.revokeRefreshTokens = value;
    },
  };
}

export interface StandInUser {
  /** The opener to give the engine: it records the URL and lets the user sign in on that page. */
  openBrowser(url: string): Promise<void>;
  /** Every URL the app asked to open. */
  opened: string[];
}

/**
 * A person at a browser, driven over HTTP: opens the sign-in page the app asks for (the stand-in authority's), and
 * submits its form to the app's loopback redirect, as the page's script would. Nothing is clicked for real; what
 * MSAL checks (state, PKCE, nonce) all travels as in a browser.
 */
export function standInUser(): StandInUser {
  const opened: string[] = [];
  return {
    opened,
    async openBrowser(url) {
      opened.push(url);
      // The app awaits the opener, as it would a browser starting: the user signs in afterwards.
      void (async () => {
        const page = await fetch(url);
        const html = await page.text();
        const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
        if (!action) throw new Error(`the sign-in page has no form (${page.status}): ${html.slice(0, 200)}`);
        const fields = new URLSearchParams();
        for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.append(m[1] ?? '', (m[2] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
        // MSAL listens on 127.0.0.1 and names it localhost in the redirect URI.
        const target = action.replace('//localhost:', '//127.0.0.1:');
        await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
      })().catch((e: unknown) => console.error('stand-in user:', e));
    },
  };
}

export interface ArmData {
  subscriptions: { id: string; name: string }[];
  /** Storage accounts by subscription ID. */
  storageAccounts: Record<string, { name: string; resourceGroup: string; blobEndpoint: string }[]>;
  /** Container names by storage account name. */
  containers: Record<string, string[]>;
}

/**
 * Azure Resource Manager's list endpoints (Subscriptions - List, Storage Accounts - List, Blob Containers - List)
 * in their published JSON shapes, `pageSize` items a page with a nextLink to the rest. Asks for a bearer token
 * for Resource Manager's audience.
 */
export async function startArmStandIn(pair: SelfSignedPair, data: ArmData, pageSize = 1): Promise<HttpsStandIn> {
  const page = <T>(items: T[], url: URL, origin: string): { status: number; json: unknown } => {
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const value = items.slice(skip, skip + pageSize);
    const next = new URL(url.pathname + url.search, origin);
    next.searchParams.set('$skiptoken', String(skip + pageSize));
    return { status: 200, json: { value, ...(skip + pageSize < items.length ? { nextLink: next.toString() } : {}) } };
  };
  return serveHttps(pair, (req, _body, origin) => {
    const auth = req.headers.authorization ?? '';
    const payload = auth.startsWith('Bearer ') ? auth.split('.')[1] : undefined;
    const aud = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { aud?: string }).aud : undefined;
    if (aud !== ARM_AUDIENCE) return { status: 401, json: { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } } };
    const url = new URL(req.url ?? '/', origin);
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts.length === 1 && parts[0] === 'subscriptions') {
      return page(data.subscriptions.map((s) => ({ id: `/subscriptions/${s.id}`, subscriptionId: s.id, displayName: s.name, tenantId: TEST_TENANT, state: 'Enabled' })), url, origin);
    }
    const sub = parts[1] ?? '';
    if (parts.length === 5 && parts[4] === 'storageAccounts') {
      return page(
        (data.storageAccounts[sub] ?? []).map((a) => ({
          id: `/subscriptions/${sub}/resourceGroups/${a.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${a.name}`,
          name: a.name,
          type: 'Microsoft.Storage/storageAccounts',
          location: 'westeurope',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS', tier: 'Standard' },
          properties: { provisioningState: 'Succeeded', primaryEndpoints: { blob: a.blobEndpoint }, primaryLocation: 'westeurope', statusOfPrimary: 'available' },
        })),
        url,
        origin,
      );
    }
    if (parts.length === 11 && parts[10] === 'containers') {
      const [, , , rg, , , , account] = parts;
      return page(
        (data.containers[account ?? ''] ?? []).map((name) => ({
          id: `/subscriptions/${sub}/resourceGroups/${rg ?? ''}/providers/Microsoft.Storage/storageAccounts/${account ?? ''}/blobServices/default/containers/${name}`,
          name,
          type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
          etag: '"0x1"',
          properties: { publicAccess: 'None', leaseStatus: 'Unlocked', leaseState: 'Available', lastModifiedTime: new Date().toISOString() },
        })),
        url,
        origin,
      );
    }
    return { status: 404, json: { error: { code: 'ResourceNotFound', message: `No stand-in for ${url.pathname}` } } };
  });
}
