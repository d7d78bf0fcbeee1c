import { verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcsSettings } from '../../../../shared/accounts';
import { startFakeGcs, type FakeGcsHandle } from '../../../../tools/emulators/emulators';
import { testConnection } from '../../accounts/test-connection';
import { readAll } from '../../test-support/conformance/data';
import { GOOGLE_SA_TOKEN, startGoogleStandIn, TEST_SERVICE_ACCOUNT, writeExternalAccountFile, type GoogleStandIn } from '../../test-support/google-stand-in';
import { startRecordingProxy, type RecordingProxy } from '../../test-support/recording-proxy';
import { createGcsProvider } from './gcs.provider';

/**
 * A GCS account on Application Default Credentials: gcloud's authorized_user file (client id, secret, refresh
 * token), whose refresh token google-auth-library exchanges at a token endpoint for an access token. The token
 * endpoint is a loopback stand-in (google-auth-library's own `endpoints.oauth2TokenUrl` option points it there), and
 * fake-gcs-server, which checks no credentials, sits behind a recording proxy that shows the bearer token arrived.
 */
const ACCESS_TOKEN = 'ya29.skyferry-test-access-token';
const REFRESH_TOKEN = 'skyferry-test-refresh-token';

let gcs: FakeGcsHandle;
let proxy: RecordingProxy;
let tokenServer: http.Server;
let tokenUrl: string;
let tmp: string;
let adcFile: string;
const grants: Array<Record<string, string>> = [];
let refuse = false;

beforeAll(async () => {
  gcs = await startFakeGcs({ backend: 'memory' });
  proxy = await startRecordingProxy(gcs.endpoint);
  tokenServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      grants.push(Object.fromEntries(new URLSearchParams(body)));
      res.setHeader('content-type', 'application/json');
      if (refuse) res.writeHead(400).end(JSON.stringify({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }));
      else res.end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/devstorage.full_control' }));
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-adc-'));
  adcFile = path.join(tmp, 'application_default_credentials.json');
  await writeFile(adcFile, JSON.stringify({ type: 'authorized_user', client_id: 'skyferry-client.apps.googleusercontent.com', client_secret: 'skyferry-client-secret', refresh_token: REFRESH_TOKEN }));
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  tokenServer?.closeAllConnections();
  await new Promise<void>((resolve) => (tokenServer ? tokenServer.close(() => resolve()) : resolve()));
  await gcs?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const settings = (over: Partial<GcsSettings> = {}): GcsSettings => ({ kind: 'gcs', name: 'adc', projectId: gcs.projectId, endpoint: proxy.endpoint, auth: 'adc', credentialsFile: adcFile, ...over });

describe('GCS on Application Default Credentials', () => {
  it('exchanges the authorized_user refresh token and sends the access token on every request', async () => {
    refuse = false;
    grants.length = 0;
    proxy.requests.length = 0;
    const p = createGcsProvider(settings(), {}, { adc: { oauth2TokenUrl: tokenUrl } });
    try {
      await p.createBucket('adc-bucket');
      expect((await p.listBuckets()).map((b) => b.name)).toContain('adc-bucket');
      await p.put('adc-bucket', 'hello.txt', Readable.from([Buffer.from('hello adc')]), { size: 9 });
      expect((await readAll(await p.open('adc-bucket', 'hello.txt'))).toString('utf8')).toBe('hello adc');
      // A person's own credentials cannot sign a URL: the share link says why and what to sign in with instead.
      const link = p.presign?.('adc-bucket', 'hello.txt', 600);
      await expect(link).rejects.toThrow(/adc signs in to Google as a person, and only a service account can sign a share link.*gcloud auth application-default login --impersonate-service-account=/);
      await expect(link).rejects.toMatchObject({ code: 'unsupported' });
    } finally {
      await p.close?.();
    }
    expect(grants.length).toBeGreaterThanOrEqual(1);
    expect(grants[0]).toMatchObject({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN });
    expect(proxy.requests.length).toBeGreaterThanOrEqual(4);
    for (const r of proxy.requests) expect(r.authorization, `${r.method} ${r.path}`).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('a revoked or expired sign-in names the gcloud command, in the connection test too', async () => {
    refuse = true;
    try {
      const p = createGcsProvider(settings({ projectId: gcs.projectId }), {}, { adc: { oauth2TokenUrl: tokenUrl } });
      const err = await p.listBuckets().then(
        () => undefined,
        (e: unknown) => e,
      );
      await p.close?.();
      expect((err as Error).message).toContain('gcloud auth application-default login');
      expect((err as Error).message).not.toContain(REFRESH_TOKEN);
      const tested = await testConnection(settings(), undefined, { providerOptions: { adc: { oauth2TokenUrl: tokenUrl } } });
      expect(tested.ok).toBe(false);
      expect(tested.message).toContain('`gcloud auth application-default login`');
    } finally {
      refuse = false;
    }
  });

  it('a credentials file that is not there says where it looked and what to run', async () => {
    const p = createGcsProvider(settings({ credentialsFile: path.join(tmp, 'missing.json') }), {}, { adc: { oauth2TokenUrl: tokenUrl } });
    await expect(p.listBuckets()).rejects.toThrow(/No Google credentials were found .*missing\.json.*gcloud auth application-default login/);
    await p.close?.();
  });
});

describe('share links of an ADC account, signed through IAM Credentials signBlob', () => {
  let google: GoogleStandIn;
  beforeAll(async () => {
    google = await startGoogleStandIn();
  });
  afterAll(async () => {
    await google?.stop();
  });
  const provider = (credentialsFile: string) =>
    createGcsProvider(settings({ name: 'federated', credentialsFile }), {}, { adc: { iamCredentialsEndpoint: `${google.origin}/v1/projects/-/serviceAccounts/` } });
  const signBlobs = () => google.requests.filter((r) => r.path.endsWith(':signBlob'));

  it('signs a V4 link as the impersonated service account, with no private key at hand, and the link reads the object', async () => {
    const p = provider(await writeExternalAccountFile(tmp, google, { impersonate: true }));
    try {
      await p.createBucket('adc-signed');
      await p.put('adc-signed', 'shared file.txt', Readable.from([Buffer.from('signed by IAM')]), { size: 13 });
      google.requests.length = 0;
      const url = await p.presign?.('adc-signed', 'shared file.txt', 900);
      if (!url) throw new Error('no link');
      const link = new URL(url);
      expect(link.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
      expect(link.searchParams.get('X-Goog-Credential')).toMatch(new RegExp(`^${TEST_SERVICE_ACCOUNT}/\\d{8}/auto/storage/goog4_request$`));
      expect(link.searchParams.get('X-Goog-Expires')).toBe('900');
      // One signBlob, made with the impersonated account's token, and the link carries that signature of what was sent.
      expect(signBlobs()).toHaveLength(1);
      const request = signBlobs()[0];
      expect(request?.path).toBe(`/v1/projects/-/serviceAccounts/${TEST_SERVICE_ACCOUNT}:signBlob`);
      expect(request?.authorization).toBe(`Bearer ${GOOGLE_SA_TOKEN}`);
      const payload = Buffer.from(String(request?.body.payload), 'base64');
      expect(payload.toString('utf8')).toMatch(/^GOOG4-RSA-SHA256\n/);
      expect(verify('RSA-SHA256', payload, google.publicKey, Buffer.from(link.searchParams.get('X-Goog-Signature') ?? '', 'hex'))).toBe(true);
      expect(url).not.toContain(GOOGLE_SA_TOKEN);
      // fake-gcs-server checks no signature; what matters is that the link names the object and opens without a token.
      // It is opened at fake-gcs-server itself: behind the recording proxy the Host header is the proxy's, which
      // fake-gcs-server does not take for its own.
      const got = await fetch(`${gcs.endpoint}${link.pathname}${link.search}`);
      expect(got.status).toBe(200);
      expect(await got.text()).toBe('signed by IAM');
    } finally {
      await p.close?.();
    }
  });

  it('a signer without the right to sign is told which role to grant, on which account', async () => {
    const p = provider(await writeExternalAccountFile(tmp, google, { impersonate: true }));
    google.denySignBlob = true;
    try {
      const err = await p.presign?.('adc-signed', 'shared file.txt', 900).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'access_denied' });
      expect((err as Error).message).toBe(
        `Google refused to sign a link as ${TEST_SERVICE_ACCOUNT} for federated: grant the role "Service Account Token Creator" on ${TEST_SERVICE_ACCOUNT} to the identity federated signs in with (the service account itself, when it signs as itself)`,
      );
    } finally {
      google.denySignBlob = false;
      await p.close?.();
    }
  });

  it('a federated identity that acts as no service account cannot sign: it says to create the file with --service-account', async () => {
    const p = provider(await writeExternalAccountFile(tmp, google));
    google.requests.length = 0;
    try {
      const link = p.presign?.('adc-signed', 'shared file.txt', 900);
      await expect(link).rejects.toThrow(/federated signs in with a federated identity that acts as no service account.*`--service-account`/);
      await expect(link).rejects.toMatchObject({ code: 'unsupported' });
      expect(signBlobs()).toHaveLength(0);
    } finally {
      await p.close?.();
    }
  });
});
