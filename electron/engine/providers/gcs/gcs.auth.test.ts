import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcsSettings } from '../../../../shared/accounts';
import { startFakeGcs, type FakeGcsHandle } from '../../../../tools/emulators/emulators';
import { createGcsProvider } from './gcs.provider';

/**
 * A private Google endpoint (Private Service Connect, a restricted VIP) checks credentials like the public one;
 * an emulator takes none. fake-gcs-server ignores the header, so a loopback proxy in front of it records what the
 * SDK sent: with "Send the key to this endpoint" a self-signed JWT of the service account (verified here with the
 * key's public half), without it no Authorization header at all.
 */
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const EMAIL = 'skyferry-auth@skyferry-test.iam.gserviceaccount.com';
const KEY_JSON = JSON.stringify({ type: 'service_account', project_id: 'skyferry-test', client_email: EMAIL, private_key: privateKey });

let gcs: FakeGcsHandle;
let proxy: http.Server;
let endpoint: string;
const seen: Array<string | undefined> = [];

beforeAll(async () => {
  gcs = await startFakeGcs({ backend: 'memory' });
  const target = new URL(gcs.endpoint);
  proxy = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await gcs?.stop();
});

const settings = (authenticateEndpoint: boolean | undefined): GcsSettings => ({ kind: 'gcs', name: 'private', projectId: gcs.projectId, endpoint, authenticateEndpoint, bucket: undefined });

function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signed: string; signature: Buffer } {
  const [h, c, s] = token.split('.');
  if (!h || !c || !s) throw new Error('not a JWT');
  const json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(h), claims: json(c), signed: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

describe('GCS with a custom endpoint', () => {
  it('sends the service account as a self-signed JWT when told the endpoint checks credentials', async () => {
    seen.length = 0;
    const p = createGcsProvider(settings(true), { serviceAccountJson: KEY_JSON });
    await p.createBucket('authed');
    expect((await p.listBuckets()).map((b) => b.name)).toContain('authed');
    await p.close?.();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const auth of seen) {
      expect(auth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      const jwt = decodeJwt((auth ?? '').slice('Bearer '.length));
      expect(jwt.header.alg).toBe('RS256');
      expect(jwt.claims.iss).toBe(EMAIL);
      expect(String(jwt.claims.scope)).toContain('devstorage');
      const ok = createVerify('RSA-SHA256').update(jwt.signed).verify(createPublicKey(privateKey), jwt.signature);
      expect(ok).toBe(true);
    }
  });

  it('sends no credentials to an emulator endpoint (the default), even with a key for signing URLs', async () => {
    seen.length = 0;
    const p = createGcsProvider(settings(undefined), { serviceAccountJson: KEY_JSON });
    await p.listBuckets();
    await p.close?.();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.every((a) => a === undefined)).toBe(true);
  });

  it('refuses "send the key" without a key, with what to do', () => {
    expect(() => createGcsProvider(settings(true), {})).toThrow(/needs the service-account key \(JSON\): add it, or turn that option off/);
  });
});
