import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { ACCOUNTS_FILE, openAccountStore } from './account-store';
import { createFileKeyCipher } from './secret-store';

/** A loopback server that records every request it gets (an endpoint the user typed by mistake, or an attacker's). */
interface Recorder {
  endpoint: string;
  seen: Array<{ url: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const ACCESS_KEY = 'AKIASKYFERRYTEST1234';
const SECRET_KEY = 'skyferry-secret-access-key-0123456789abcd';
const SAS = 'sv=2024-08-04&ss=b&srt=sco&sp=rl&se=2030-01-01T00:00:00Z&sig=c2t5ZmVycnktc2lnbmF0dXJlLXRlc3Q%3D';

let base: string;
let engine: Engine;
let home: Recorder;
let elsewhere: Recorder;

async function invoke(channel: string, request: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }> {
  return engine.invoke(channel, request) as Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }>;
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-accounts-endpoint-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
  [home, elsewhere] = await Promise.all([startRecorder(), startRecorder()]);
});
afterAll(async () => {
  await engine?.close();
  await Promise.all([home?.close(), elsewhere?.close()]);
  await rm(base, { recursive: true, force: true });
});
afterEach(() => {
  home.seen.length = 0;
  elsewhere.seen.length = 0;
});

describe('saved secrets follow their endpoint', () => {
  const s3 = (endpoint: string, secrets?: Record<string, string>) => ({
    kind: 's3',
    name: 'moved-s3',
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    checksumMode: 'when_required',
    ...(secrets ? { secrets } : {}),
  });

  it('testing an S3 edit that points elsewhere does not sign a request for the new host with the saved key', async () => {
    expect(await invoke('accounts:save', { account: s3(home.endpoint, { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }) })).toMatchObject({ ok: true });
    const tested = await invoke('accounts:test', { account: s3(elsewhere.endpoint), previousName: 'moved-s3' });
    expect(tested).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/endpoint of moved-s3 changed: enter its secrets again/) } });
    expect(elsewhere.seen).toEqual([]);
    // The same edit, saved without secrets, is refused too; the account keeps its old endpoint and secrets.
    const saved = await invoke('accounts:save', { account: s3(elsewhere.endpoint), previousName: 'moved-s3' });
    expect(saved).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const list = await invoke('accounts:list', {});
    expect(list).toMatchObject({ ok: true, value: expect.arrayContaining([{ settings: expect.objectContaining({ name: 'moved-s3', endpoint: home.endpoint }), hasSecrets: true }]) });
    // With the secrets typed again, the move is the user's choice.
    expect(await invoke('accounts:save', { account: s3(`${elsewhere.endpoint}/`, { accessKeyId: 'AKIAOTHER', secretAccessKey: 'other-secret-key' }), previousName: 'moved-s3' })).toMatchObject({ ok: true });
  });

  it('a change that keeps the endpoint (trailing slash, region) keeps the saved secrets', async () => {
    expect(await invoke('accounts:save', { account: s3(home.endpoint, { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }) })).toMatchObject({ ok: true });
    expect(await invoke('accounts:save', { account: { ...s3(`${home.endpoint}/`), region: 'eu-west-1' }, previousName: 'moved-s3' })).toMatchObject({ ok: true });
    const tested = await invoke('accounts:test', { account: s3(home.endpoint), previousName: 'moved-s3' });
    expect(tested).toMatchObject({ ok: true, value: { ok: false } });
    // The request did reach the saved endpoint, signed with the saved key.
    expect(home.seen.some((r) => r.authorization?.includes(`Credential=${ACCESS_KEY}/`))).toBe(true);
  });

  it('testing an Azure SAS edit that points elsewhere does not send the SAS there', async () => {
    const azure = (endpoint: string, secrets?: Record<string, string>) => ({ kind: 'azure', name: 'moved-az', auth: 'sas', endpoint, ...(secrets ? { secrets } : {}) });
    expect(await invoke('accounts:save', { account: azure(`${home.endpoint}/devstoreaccount1`, { sasToken: SAS }) })).toMatchObject({ ok: true });
    const tested = await invoke('accounts:test', { account: azure(`${elsewhere.endpoint}/devstoreaccount1`), previousName: 'moved-az' });
    expect(tested).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(elsewhere.seen).toEqual([]);
  });

  it('testing a GCS edit that turns on "send the key to this endpoint" does not send a signed JWT there', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const serviceAccountJson = JSON.stringify({ type: 'service_account', project_id: 'p', client_email: 'sa@p.iam.gserviceaccount.com', private_key: privateKey });
    const gcs = { kind: 'gcs', name: 'moved-gcs', projectId: 'p', endpoint: elsewhere.endpoint };
    // Saved for an emulator at this address: the key is only used to sign URLs locally.
    expect(await invoke('accounts:save', { account: { ...gcs, secrets: { serviceAccountJson } } })).toMatchObject({ ok: true });
    const tested = await invoke('accounts:test', { account: { ...gcs, authenticateEndpoint: true }, previousName: 'moved-gcs' });
    expect(tested).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(elsewhere.seen.filter((r) => r.authorization?.startsWith('Bearer '))).toEqual([]);
  });
});

describe('endpoints carry no credentials', () => {
  it.each([
    ['a query string (a pasted SAS URL)', `https://acct.blob.core.windows.net/photos?${SAS}`, /Remove the query string/],
    ['a bare "?"', 'https://s3.example.com/?', /Remove the query string/],
    ['a user name and password', 'https://user:pass@s3.example.com', /Remove the user name and password/],
    ['a user name alone', 'http://admin@127.0.0.1:9000', /Remove the user name and password/],
  ])('refuses an endpoint with %s, saying why', async (_what, endpoint, message) => {
    const account = { kind: 's3', name: 'bad-endpoint', region: 'us-east-1', endpoint, secrets: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } };
    const saved = await invoke('accounts:save', { account });
    expect(saved).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(message) } });
    if (!saved.ok) expect(saved.error.message).not.toContain('sig=');
    expect(await invoke('accounts:test', { account })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await invoke('accounts:save', { account: { ...account, kind: 'azure', auth: 'sas' } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('an account saved with such an endpoint before still loads, without the query or the credentials', async () => {
    const dir = path.join(base, 'legacy');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, ACCOUNTS_FILE),
      JSON.stringify({ version: 1, accounts: [{ kind: 'azure', name: 'old-az', auth: 'sas', endpoint: `https://acct.blob.core.windows.net/?${SAS}` }] }),
    );
    const store = await openAccountStore(dir, await createFileKeyCipher(path.join(base, 'keys', 'legacy')));
    expect(store.get('old-az')?.settings).toMatchObject({ endpoint: 'https://acct.blob.core.windows.net' });
    await store.save({ kind: 'local', name: 'other', root: dir });
    expect(await readFile(path.join(dir, ACCOUNTS_FILE), 'utf8')).not.toContain('sig=');
  });
});
