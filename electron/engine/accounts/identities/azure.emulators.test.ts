import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzureSettings } from '../../../../shared/accounts';
import type { EventPayload } from '../../../../shared/contract';
import { startAzurite, type AzuriteHandle } from '../../../../tools/emulators/emulators';
import { selfSignedCert, type SelfSignedPair } from '../../../../tools/emulators/tls';
import type { Engine } from '../../dispatch';
import { createEngine } from '../../engine';
import { createProvider } from '../../providers/factory';
import { readAll } from '../../test-support/conformance/data';
import { planned } from '../../test-support/wait';
import { standInUser, startArmStandIn, startEntraStandIn, TEST_TENANT, trustCertificate, writeAzStandIn, type AzStandIn } from '../../test-support/entra-stand-in';
import { createFileKeyCipher } from '../secret-store';
import { createAzureIdentities } from './azure';

/**
 * Sign-in with Microsoft Entra ID against Azurite over HTTPS with `--oauth basic`: tokens come from a stand-in
 * `az` on PATH (the Azure CLI's login) or from a stand-in Entra authority (device code); listings from a stand-in
 * Resource Manager. No SDK is mocked.
 */
let az: AzuriteHandle;
let tlsPair: SelfSignedPair;
let cli: AzStandIn;
let wrongAudience: AzStandIn;
let tmp: string;
const PATH = process.env.PATH ?? '';
const withPath = (binDir: string | undefined): void => {
  process.env.PATH = binDir ? `${binDir}${path.delimiter}${PATH}` : PATH;
};

const QUIET = { prompt: () => undefined, done: () => undefined };

const settings = (extra: Partial<AzureSettings> = {}): AzureSettings => ({
  kind: 'azure',
  name: 'entra',
  auth: 'entra',
  entra: { credential: 'azureCli', tenantId: TEST_TENANT },
  accountName: az.accountName,
  endpoint: az.endpoint,
  ...extra,
});

beforeAll(async () => {
  az = await startAzurite({ oauth: true });
  if (!az.tls) throw new Error('Azurite started without TLS');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-entra-'));
  tlsPair = await selfSignedCert(tmp);
  trustCertificate(az.tls.cert);
  trustCertificate(tlsPair.cert);
  cli = await writeAzStandIn();
  wrongAudience = await writeAzStandIn({ storageAudience: 'https://vault.azure.net' });
});

afterAll(async () => {
  withPath(undefined);
  await az?.stop();
  for (const dir of [tmp, cli?.binDir, wrongAudience?.binDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Azure CLI login', () => {
  it('browses, uploads, copies and shares through the provider with a token from az', async () => {
    withPath(cli.binDir);
    const identities = createAzureIdentities({ interactive: 'deviceCode' }, QUIET);
    const provider = createProvider(settings(), undefined, { azureCredential: (s) => identities.credential(s.entra ?? { credential: 'azureCli' }) });
    await provider.createBucket('entra-cli');
    const body = Buffer.from('hello from an Entra identity');
    await provider.put('entra-cli', 'docs/hello.txt', Readable.from([body]), { size: body.length });
    const page = await provider.list('entra-cli', { delimiter: '/' });
    expect(page.entries.map((e) => e.key)).toEqual(['docs/']);
    await provider.copy?.({ bucket: 'entra-cli', key: 'docs/hello.txt' }, { bucket: 'entra-cli', key: 'copy/hello.txt' });
    expect((await readAll(await provider.open('entra-cli', 'copy/hello.txt'))).toString()).toBe(body.toString());

    // A share link is a user-delegation SAS: it reads without any token, and only the blob it names.
    expect(provider.presign).toBeDefined();
    const url = (await provider.presign?.('entra-cli', 'docs/hello.txt', 3600)) ?? '';
    expect(url).toMatch(/[?&]skoid=/);
    expect(new Date(decodeURIComponent(/[?&]se=([^&]+)/.exec(url)?.[1] ?? '')).getTime()).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    const res = await fetch(url);
    expect(await res.text()).toBe(body.toString());
    // The lifetime is capped at Azure's seven days for a delegation key.
    const long = (await provider.presign?.('entra-cli', 'docs/hello.txt', 30 * 24 * 3600)) ?? '';
    expect(new Date(decodeURIComponent(/[?&]se=([^&]+)/.exec(long)?.[1] ?? '')).getTime()).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);

    const calls = await readFile(cli.argsFile, 'utf8');
    expect(calls).toContain(`account get-access-token --output json --resource https://storage.azure.com --tenant ${TEST_TENANT}`);
    await provider.close?.();
  });

  it('says which role is missing when the token is refused', async () => {
    withPath(wrongAudience.binDir);
    const identities = createAzureIdentities({ interactive: 'deviceCode' }, QUIET);
    const provider = createProvider(settings(), undefined, { azureCredential: (s) => identities.credential(s.entra ?? { credential: 'azureCli' }) });
    const failure = await provider.listBuckets().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain('Storage Blob Data Reader');
    expect(message).toContain('Storage Blob Data Contributor');
    expect(message).not.toMatch(/eyJ/); // no token
  });

  it('says to run az login when the CLI is missing and the credential is the CLI', async () => {
    withPath(undefined);
    const identities = createAzureIdentities({ interactive: 'deviceCode' }, QUIET);
    await expect(identities.signIn({ credential: 'azureCli' }, new AbortController().signal)).rejects.toThrow(/az login/);
  });
});

describe('device code through the engine', () => {
  let engine: Engine;
  let entraRequests: string[] = [];
  const prompts: EventPayload<'entra:deviceCode'>[] = [];
  const done: EventPayload<'entra:deviceCodeDone'>[] = [];

  beforeAll(async () => {
    const entra = await startEntraStandIn(tlsPair);
    entraRequests = entra.requests;
    const arm = await startArmStandIn(tlsPair, {
      subscriptions: [
        { id: '00000000-0000-4000-8000-000000000001', name: 'Production' },
        { id: '00000000-0000-4000-8000-000000000002', name: 'Development' },
      ],
      storageAccounts: {
        '00000000-0000-4000-8000-000000000002': [
          { name: 'archiveacct', resourceGroup: 'rg-a', blobEndpoint: 'https://archiveacct.blob.core.windows.net/' },
          { name: az.accountName, resourceGroup: 'rg-dev', blobEndpoint: `${az.endpoint}/` },
        ],
      },
      containers: { [az.accountName]: ['alpha', 'beta', 'gamma'] },
    });
    const dataDir = path.join(tmp, 'engine');
    engine = await createEngine({
      dataDir,
      cipher: await createFileKeyCipher(path.join(tmp, 'secrets.key')),
      entra: { interactive: 'deviceCode', authorityHost: entra.authorityHost, disableInstanceDiscovery: true, armEndpoint: arm.origin },
    });
    engine.subscribe((event, payload) => {
      if (event === 'entra:deviceCode') prompts.push(payload as EventPayload<'entra:deviceCode'>);
      if (event === 'entra:deviceCodeDone') done.push(payload as EventPayload<'entra:deviceCodeDone'>);
    });
    return async () => {
      await engine.close();
      await entra.stop();
      await arm.stop();
    };
  });

  const invoke = async (channel: string, request: unknown): Promise<unknown> => {
    const out = await engine.invoke(channel, request);
    if (!out.ok) throw new Error(`${channel}: ${out.error.message}`);
    return out.value;
  };

  it('falls back from a missing Azure CLI to a device code, shows the code, lists through ARM and then works as an account', async () => {
    withPath(undefined); // no az
    const signedIn = (await invoke('entra:signIn', { credential: 'auto', tenantId: TEST_TENANT })) as { identity: { credential: string }; subscriptions: { id: string; name: string }[] };
    expect(signedIn.identity).toEqual({ credential: 'deviceCode', tenantId: TEST_TENANT });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.userCode).toBe('SKYF-ERRY');
    expect(prompts[0]?.verificationUri).toMatch(/\/devicelogin$/);
    expect(done).toEqual([{ ok: true }]);
    expect(JSON.stringify(signedIn)).not.toMatch(/eyJ/);
    // Two pages of subscriptions (nextLink), sorted by name.
    expect(signedIn.subscriptions.map((s) => s.name)).toEqual(['Development', 'Production']);

    const dev = signedIn.subscriptions[0]?.id ?? '';
    const accounts = (await invoke('entra:storageAccounts', { identity: signedIn.identity, subscriptionId: dev })) as { id: string; name: string; blobEndpoint?: string }[];
    expect(accounts.map((a) => a.name)).toEqual(['archiveacct', az.accountName]);
    const mine = accounts.find((a) => a.name === az.accountName);
    const containers = (await invoke('entra:containers', { identity: signedIn.identity, storageAccountId: mine?.id })) as { name: string }[];
    expect(containers.map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);

    await invoke('accounts:save', {
      account: { kind: 'azure', name: 'entra-dc', auth: 'entra', entra: signedIn.identity, accountName: az.accountName, endpoint: az.endpoint },
    });
    const saved = JSON.parse(await readFile(path.join(tmp, 'engine', 'accounts.json'), 'utf8')) as unknown;
    expect(JSON.stringify(saved)).not.toMatch(/eyJ|refresh/);
    await invoke('buckets:create', { account: 'entra-dc', bucket: 'device-code' });
    const tested = (await invoke('accounts:test', { name: 'entra-dc' })) as { ok: boolean; message: string };
    expect(tested).toMatchObject({ ok: true });
    const list = (await invoke('objects:list', { uri: 'az://entra-dc/device-code/' })) as { entries: unknown[] };
    expect(list.entries).toEqual([]);
    // The storage token came silently (a refresh-token grant) from the same sign-in: one prompt in all.
    expect(prompts).toHaveLength(1);
    expect(entraRequests.filter((r) => r.includes('/devicecode'))).toHaveLength(1);
    const link = (await invoke('objects:mkdir', { uri: 'az://entra-dc/device-code/folder' })) as { ok: boolean };
    expect(link.ok).toBe(true);
  });

  const jobDone = async (id: string): Promise<string | undefined> => {
    for (let i = 0; i < 600; i++) {
      const job = (await invoke('jobs:list', {})) as { id: string; state: string }[];
      const state = job.find((j) => j.id === id)?.state;
      if (state && !['queued', 'running', 'paused'].includes(state)) return state;
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  };

  it('runs copy jobs both ways, a migration plan and a cost scan on the Entra account', async () => {
    const base = path.join(tmp, 'files');
    await mkdir(path.join(base, 'up'), { recursive: true });
    await writeFile(path.join(base, 'up', 'a.txt'), 'alpha');
    await writeFile(path.join(base, 'up', 'b.txt'), 'bravo');
    const up = (await invoke('jobs:start', { kind: 'copy', sources: [`file://${base}/up/`], destination: 'az://entra-dc/device-code/' })) as { id: string };
    expect(await jobDone(up.id)).toBe('completed');
    const down = (await invoke('jobs:start', { kind: 'copy', sources: ['az://entra-dc/device-code/up/a.txt'], destination: `file://${base}/down/` })) as { id: string };
    expect(await jobDone(down.id)).toBe('completed');
    expect(await readFile(path.join(base, 'down', 'a.txt'), 'utf8')).toBe('alpha');

    const plan = await planned(engine, { source: `file://${base}/up/`, destinations: ['az://entra-dc/device-code/up/'] });
    const summary = (await invoke('plans:get', { id: plan })) as { state: string; error?: unknown };
    expect(summary).toMatchObject({ state: 'planned' });

    const scan = (await invoke('costs:scan', { uri: 'az://entra-dc/device-code/' })) as { id: string };
    let result = (await invoke('costs:scanResult', { id: scan.id })) as { state: string; totals?: { objects: number } };
    for (let i = 0; i < 300 && result.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      result = (await invoke('costs:scanResult', { id: scan.id })) as typeof result;
    }
    expect(result.state).toBe('done');
    expect(result.totals?.objects).toBeGreaterThanOrEqual(2);
    expect(prompts).toHaveLength(1);
    // Nothing the engine keeps (accounts, journals, plans, reports, cost history) holds a token.
    const dataDir = path.join(tmp, 'engine');
    for (const file of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
      if (!file.isFile() || file.name === 'secrets.bin') continue;
      expect(await readFile(path.join(file.parentPath, file.name), 'utf8'), file.name).not.toMatch(/eyJ|stand-in-refresh-token/);
    }
  });
});

describe('browser sign-in (authorization code with PKCE on a loopback redirect), kept across a restart', () => {
  it('signs in once through the opened page, browses Azurite with the token, and browses again after a restart without asking', async () => {
    withPath(undefined); // no az: "auto" falls back to the browser
    const entra = await startEntraStandIn(tlsPair);
    const arm = await startArmStandIn(tlsPair, { subscriptions: [{ id: '00000000-0000-4000-8000-0000000000b1', name: 'Browser' }], storageAccounts: {}, containers: {} });
    const user = standInUser();
    const dataDir = path.join(tmp, 'browser-engine');
    const start = async (): Promise<Engine> =>
      createEngine({
        dataDir,
        cipher: await createFileKeyCipher(path.join(dataDir, 'secrets.key')),
        entra: { interactive: 'browser', authorityHost: entra.authorityHost, disableInstanceDiscovery: true, armEndpoint: arm.origin, openBrowser: (url) => user.openBrowser(url) },
      });
    const call = async (engine: Engine, channel: string, request: unknown): Promise<unknown> => {
      const out = await engine.invoke(channel, request);
      if (!out.ok) throw new Error(`${channel}: ${out.error.message}`);
      return out.value;
    };
    let engine = await start();
    try {
      const signedIn = (await call(engine, 'entra:signIn', { credential: 'auto', tenantId: TEST_TENANT })) as { identity: unknown; subscriptions: { name: string }[] };
      expect(signedIn.identity).toEqual({ credential: 'browser', tenantId: TEST_TENANT });
      expect(signedIn.subscriptions.map((s) => s.name)).toEqual(['Browser']);
      // One page opened: Entra's authorize endpoint with PKCE and a loopback redirect, as MSAL builds it.
      expect(user.opened).toHaveLength(1);
      const page = new URL(user.opened[0] ?? '');
      expect(page.origin).toBe(entra.origin);
      expect(page.pathname).toBe(`/${TEST_TENANT}/oauth2/v2.0/authorize`);
      expect(page.searchParams.get('code_challenge_method')).toBe('S256');
      expect(page.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/);
      expect(entra.codeSignIns).toBe(1);

      await call(engine, 'accounts:save', { account: { kind: 'azure', name: 'entra-browser', auth: 'entra', entra: signedIn.identity, accountName: az.accountName, endpoint: az.endpoint } });
      await call(engine, 'buckets:create', { account: 'entra-browser', bucket: 'browser' });
      await call(engine, 'objects:mkdir', { uri: 'az://entra-browser/browser/kept' });
      expect(((await call(engine, 'objects:list', { uri: 'az://entra-browser/browser/' })) as { entries: { key: string }[] }).entries.map((e) => e.key)).toEqual(['kept/']);
      expect(user.opened).toHaveLength(1);
    } finally {
      await engine.close();
    }

    // The sign-in is on disk, sealed: no token, refresh token or user name in clear.
    const sealed = await readFile(path.join(dataDir, 'entra-sign-ins.bin'));
    for (const clear of ['eyJ', 'stand-in-refresh-token', 'ada@example.test', 'stand-in-user', TEST_TENANT]) expect(sealed.includes(clear), clear).toBe(false);

    // A new engine on the same data folder browses at once: no page opened, no new sign-in at the authority.
    engine = await start();
    try {
      const list = (await call(engine, 'objects:list', { uri: 'az://entra-browser/browser/' })) as { entries: { key: string }[] };
      expect(list.entries.map((e) => e.key)).toEqual(['kept/']);
      expect(user.opened).toHaveLength(1);
      expect(entra.codeSignIns).toBe(1);
      expect(entra.requests.filter((r) => r.includes('/authorize'))).toHaveLength(1);
    } finally {
      await engine.close();
      await entra.stop();
      await arm.stop();
    }
  });
});

describe('switching a saved key account to Microsoft Entra ID', () => {
  it('drops the saved key instead of asking for it again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-entra-switch-'));
    const engine = await createEngine({ dataDir: dir, cipher: await createFileKeyCipher(path.join(dir, 'secrets.key')) });
    try {
      const base = { kind: 'azure', name: 'switch', accountName: az.accountName, endpoint: az.endpoint };
      expect((await engine.invoke('accounts:save', { account: { ...base, auth: 'sharedKey', secrets: { accountKey: az.accountKey } } })).ok).toBe(true);
      const switched = await engine.invoke('accounts:save', { account: { ...base, auth: 'entra', entra: { credential: 'azureCli' } } });
      expect(switched).toMatchObject({ ok: true, value: { hasSecrets: false } });
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
