/**
 * A stand-in for Google's token and IAM Credentials endpoints, for tests of Application Default Credentials: one
 * loopback HTTP server that answers OAuth refresh-token grants (gcloud's authorized_user file), STS token exchanges
 * (a workload identity federation file), generateAccessToken (service-account impersonation) and signBlob (which
 * signs with a real RSA key, so a test can verify what it signed). Files in the formats gcloud writes point at it.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const GOOGLE_USER_TOKEN = 'ya29.skyferry-test-user-token';
export const GOOGLE_FEDERATED_TOKEN = 'ya29.skyferry-test-federated-token';
export const GOOGLE_SA_TOKEN = 'ya29.skyferry-test-service-account-token';
export const GOOGLE_REFRESH_TOKEN = 'skyferry-test-refresh-token';
export const GOOGLE_SUBJECT_TOKEN = 'skyferry-test-subject-token';
export const TEST_SERVICE_ACCOUNT = 'ferry-signer@skyferry-test.iam.gserviceaccount.com';

export interface GoogleStandIn {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The OAuth token endpoint (refresh-token grants and STS token exchanges). */
  tokenUrl: string;
  /** Each request: method, path, Authorization header, and the form or JSON body's fields. */
  requests: Array<{ method: string; path: string; authorization?: string; body: Record<string, unknown> }>;
  /** The signer's public key (PEM), to verify what signBlob signed. */
  publicKey: string;
  /** Answer every token request with 400 invalid_grant (a revoked sign-in) while true. */
  refuse: boolean;
  /** Answer signBlob with 403 (the signer lacks iam.serviceAccounts.signBlob) while true. */
  denySignBlob: boolean;
  stop(): Promise<void>;
}

function parseBody(raw: string, type: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (type?.includes('json')) {
    try {
      const value: unknown = JSON.parse(raw);
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

export async function startGoogleStandIn(): Promise<GoogleStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const requests: GoogleStandIn['requests'] = [];
  const state = { refuse: false, denySignBlob: false };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = parseBody(raw, req.headers['content-type']);
      requests.push({ method: req.method ?? '', path: url.pathname, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
      const send = (status: number, json: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (url.pathname === '/token') {
        if (state.refuse) return send(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        if (body.grant_type === 'refresh_token' && body.refresh_token === GOOGLE_REFRESH_TOKEN) {
          return send(200, { access_token: GOOGLE_USER_TOKEN, expires_in: 3599, token_type: 'Bearer', scope: body.scope ?? '' });
        }
        if (body.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange' && body.subject_token === GOOGLE_SUBJECT_TOKEN) {
          return send(200, { access_token: GOOGLE_FEDERATED_TOKEN, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
        }
        return send(400, { error: 'invalid_grant', error_description: 'Unknown grant.' });
      }
      const iam = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):(generateAccessToken|signBlob)$/.exec(url.pathname);
      if (iam && req.method === 'POST') {
        // The federated identity and the user may act as the service account; the service account may sign as
        // itself (it holds Service Account Token Creator on itself), unless denySignBlob says otherwise.
        const bearer = req.headers.authorization;
        const serviceAccount = decodeURIComponent(iam[1] ?? '');
        if (iam[2] === 'generateAccessToken') {
          if ((bearer !== `Bearer ${GOOGLE_FEDERATED_TOKEN}` && bearer !== `Bearer ${GOOGLE_USER_TOKEN}`) || serviceAccount !== TEST_SERVICE_ACCOUNT) {
            return send(403, { error: { code: 403, message: 'Permission iam.serviceAccounts.getAccessToken denied', status: 'PERMISSION_DENIED' } });
          }
          return send(200, { accessToken: GOOGLE_SA_TOKEN, expireTime: new Date(Date.now() + 3600_000).toISOString() });
        }
        if (state.denySignBlob || ![GOOGLE_FEDERATED_TOKEN, GOOGLE_USER_TOKEN, GOOGLE_SA_TOKEN].some((t) => bearer === `Bearer ${t}`) || serviceAccount !== TEST_SERVICE_ACCOUNT) {
          return send(403, { error: { code: 403, message: `Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not exist).`, status: 'PERMISSION_DENIED' } });
        }
        const payload = Buffer.from(typeof body.payload === 'string' ? body.payload : '', 'base64');
        return send(200, { keyId: 'stand-in-key', signedBlob: sign('RSA-SHA256', payload, privateKey).toString('base64') });
      }
      return send(404, { error: { code: 404, message: `No stand-in for ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const handle: GoogleStandIn = {
    origin,
    tokenUrl: `${origin}/token`,
    requests,
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    get denySignBlob() {
      return state.denySignBlob;
    },
    set denySignBlob(value: boolean) {
      state.denySignBlob = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}

/** gcloud's `application-default login` file (a user's refresh token); the token endpoint is google-auth-library's option, not the file's. */
export async function writeAuthorizedUserFile(dir: string): Promise<string> {
  const file = path.join(dir, 'application_default_credentials.json');
  await writeFile(file, JSON.stringify({ type: 'authorized_user', client_id: 'skyferry-client.apps.googleusercontent.com', client_secret: 'skyferry-client-secret', refresh_token: GOOGLE_REFRESH_TOKEN }));
  return file;
}

/**
 * A workload identity federation file (`gcloud iam workload-identity-pools create-cred-config`): a subject token read
 * from a file, exchanged at the stand-in's STS endpoint; with `impersonate`, the federated token then impersonates
 * TEST_SERVICE_ACCOUNT through the stand-in's generateAccessToken.
 */
export async function writeExternalAccountFile(dir: string, standIn: GoogleStandIn, options: { impersonate?: boolean } = {}): Promise<string> {
  const subject = path.join(dir, 'subject-token.txt');
  await writeFile(subject, GOOGLE_SUBJECT_TOKEN);
  const file = path.join(dir, options.impersonate ? 'federation-impersonated.json' : 'federation.json');
  await writeFile(
    file,
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/skyferry/providers/test',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: standIn.tokenUrl,
      credential_source: { file: subject },
      ...(options.impersonate ? { service_account_impersonation_url: `${standIn.origin}/v1/projects/-/serviceAccounts/${TEST_SERVICE_ACCOUNT}:generateAccessToken` } : {}),
    }),
  );
  return file;
}
