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
      // No key at hand: no URL signed offline, so the cloud-side pull and share links are not offered.
      expect(p.presign).toBeUndefined();
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
