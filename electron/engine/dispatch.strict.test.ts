import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type ChannelName, type ChannelRequest } from '../../shared/contract';
import { createFileKeyCipher } from './accounts/secret-store';
import { dispatch, type Engine, type Handlers } from './dispatch';
import { createEngine } from './engine';

/**
 * Every channel of the contract refuses what its request schema does not define: an unknown field (at any depth), a
 * field of the wrong type, a request that is not an object. The handler never runs for such a request.
 */

const fig = { value: 1, source: 'test', asOf: '2026-01-01' };
const tiers = [{ upToGb: null, usdPerGb: fig }];
const storageClass = { id: 'STANDARD', name: 'Standard', storageUsdPerGbMonth: tiers, writeUsdPer1000: fig, readUsdPer1000: fig, listUsdPer1000: fig };
const region = { id: 'r1', name: 'Region 1', defaultClass: 'STANDARD', classes: [storageClass], egress: { internetFreeGbPerMonth: fig, internet: tiers } };
const place = { provider: 'aws', region: 'us-east-1' };
const migration = { source: 's3://a/b/', destinations: ['gs://c/d/'], filters: { include: ['*.txt'] }, options: { preserveMetadata: true }, deletions: { enabled: false } };
const s3Account = { kind: 's3' as const, name: 'acct', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', secrets: { accessKeyId: 'AK', secretAccessKey: 'SK' } };

/** One well-formed request per channel; the malformed ones are made from these. */
const SAMPLES: { [C in ChannelName]?: ChannelRequest<C> } = {
  'accounts:list': {},
  'accounts:save': { account: s3Account, previousName: 'old' },
  'accounts:remove': { name: 'acct' },
  'accounts:test': { account: s3Account },
  'accounts:features': { name: 'acct' },
  'buckets:list': { account: 'acct' },
  'buckets:create': { account: 'acct', bucket: 'b' },
  'buckets:remove': { account: 'acct', bucket: 'b' },
  'objects:list': { uri: 's3://acct/b/', cursor: 'c', pageSize: 10, delimited: true },
  'objects:stat': { uri: 's3://acct/b/k' },
  'objects:setMetadata': { uri: 's3://acct/b/k', patch: { contentType: 'text/plain', userMetadata: { a: 'b' } } },
  'objects:presign': { uri: 's3://acct/b/k', expiresSeconds: 3600 },
  'objects:mkdir': { uri: 's3://acct/b/dir/' },
  'objects:preview': { uri: 's3://acct/b/k.png' },
  'jobs:conflicts': { kind: 'copy', sources: ['s3://acct/b/k'], destination: 'gs://g/b/', alternates: ['s3://x/b/k'] },
  'jobs:start': { kind: 'copy', sources: ['s3://acct/b/k'], destination: 'gs://g/b/', options: { overwrite: 'never', alternates: ['s3://x/b/k'], decisions: { 'gs://g/b/k': 'keepBoth' } } },
  'jobs:list': {},
  'jobs:get': { id: 'j', offset: 0, limit: 10 },
  'jobs:pause': { id: 'j' },
  'jobs:resume': { all: true },
  'jobs:cancel': { id: 'j' },
  'jobs:retry': { id: 'j' },
  'jobs:clearHistory': {},
  'costs:catalog': {},
  'costs:setPrice': { provider: 'aws', region: 'us-east-1', class: 'STANDARD', field: 'storage', tier: 0, value: 0.02, note: 'n' },
  'costs:addProvider': { provider: { id: 'p1', name: 'P1', kind: 's3', multipart: { initiateRequests: 1, completeRequests: 1 }, notes: [], regions: [region] } },
  'costs:addRegion': { provider: 'aws', region },
  'costs:resetCatalog': { provider: 'aws' },
  'costs:estimateTransfer': { source: place, destination: { ...place, class: 'STANDARD' }, files: 1, bytes: 10, path: 'relay', histogram: [{ upToBytes: 10, count: 1, bytes: 10 }], move: { sourceAgeDays: 1 } },
  'costs:estimateCopy': { sourceAccount: 'a', destinationAccount: 'b', files: 1, bytes: 10 },
  'costs:scan': { uri: 's3://acct/b/', pricing: place },
  'costs:scanResult': { id: 's' },
  'costs:cancelScan': { id: 's' },
  'costs:whatIf': { id: 's', olderThanDays: 30, targetClass: 'GLACIER', fromClasses: ['STANDARD'], pricing: place },
  'costs:history': { uri: 's3://acct/b/' },
  'retention:preview': { uri: 's3://acct/b/', olderThanDays: 30, action: { kind: 'set-class', storageClass: 'GLACIER' }, pricing: place },
  'retention:previewResult': { id: 'r' },
  'retention:cancelPreview': { id: 'r' },
  'retention:run': { id: 'r' },
  'retention:report': { id: 'r', offset: 0, limit: 10 },
  'plans:create': { ...migration, name: 'm' },
  'plans:get': { id: 'p' },
  'plans:list': {},
  'plans:page': { id: 'p', group: 'new', dest: 0, offset: 0, limit: 10 },
  'plans:run': { id: 'p' },
  'plans:confirmDeletions': { id: 'p' },
  'plans:cancel': { id: 'p' },
  'plans:remove': { id: 'p' },
  'plans:export': { id: 'p', format: 'csv' },
  'profiles:save': { name: 'nightly', request: migration },
  'profiles:list': {},
  'profiles:remove': { name: 'nightly' },
  'profiles:run': { name: 'nightly' },
  'profiles:exportYaml': { name: 'nightly' },
  'profiles:importYaml': { text: 'name: nightly\n', fileName: 'nightly.yaml' },
  'cloudTransfers:route': { source: 's3://acct/b/', destination: 'gs://acct/c/', mode: 'copy', deletionsEnabled: false, filters: {}, bytes: 0 },
  'cloudTransfers:preview': { source: 's3://acct/b/', destination: 'gs://acct/c/', mode: 'copy', deletionsEnabled: false, filters: {}, bytes: 0, connection: { account: 'acct' }, acceptUnmapped: false },
  'cloudTransfers:create': { source: 's3://acct/b/', destination: 'gs://acct/c/', mode: 'copy', deletionsEnabled: false, filters: {}, bytes: 0, connection: { account: 'acct' }, acceptUnmapped: false },
  'cloudTransfers:list': {},
  'cloudTransfers:refresh': { id: 't' },
  'cloudTransfers:pause': { id: 't' },
  'cloudTransfers:resume': { id: 't' },
  'cloudTransfers:cancel': { id: 't' },
  'cloudTransfers:remove': { id: 't' },
  'cloudTransfers:clearFinished': {},
  'uploads:listPending': { account: 'acct', bucket: 'b' },
  'uploads:abort': { account: 'acct', bucket: 'b', uploads: [{ key: 'k', uploadId: 'u' }] },
  'dialogs:pickFolder': { title: 't', defaultPath: '/tmp' },
  'dialogs:pickFiles': { title: 't', multiple: true, directories: false },
  'entra:signIn': { credential: 'auto', tenantId: 'contoso.onmicrosoft.com' },
  'entra:storageAccounts': { identity: { credential: 'azureCli' }, subscriptionId: 's' },
  'entra:containers': { identity: { credential: 'azureCli' }, storageAccountId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a' },
  'accounts:awsProfiles': {},
  'accounts:mfaCode': { id: 'prompt-1', code: '123456' },
  'versions:list': { uri: 's3://acct/b/k' },
  'versions:deleted': { uri: 's3://acct/b/dir/' },
  'versions:restore': { uri: 's3://acct/b/k', versionId: 'v1' },
  'versions:remove': { uri: 's3://acct/b/k', versionId: 'v1', expect: { size: 3 }, allowCurrent: false },
  'versions:undelete': { uri: 's3://acct/b/k' },
  'versions:copy': { uri: 's3://acct/b/k', versionId: 'v1', destination: 'file:///tmp/' },
  'versions:settings': { uri: 's3://acct/b/' },
  'versions:configure': { uri: 's3://acct/b/', versioning: 'enabled', softDeleteDays: 7 },
  'settings:get': {},
  'settings:setBandwidth': { limit: '08:00,512k 19:00,off' },
  'jobs:setLimit': { id: 'j', limit: { up: 1024, down: null } },
  'schedules:list': {},
  'schedules:save': { id: 's', target: { type: 'profile', name: 'nightly' }, when: { kind: 'weekly', day: 1, time: '08:30' } },
  'schedules:remove': { id: 's' },
  'sync:list': {},
  'sync:start': { profile: 'nightly' },
  'sync:stop': { profile: 'nightly' },
};

const NAMES = Object.keys(channels) as ChannelName[];
const UNKNOWN = 'skyferryUnknownField';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The sample with an unknown key added to the object at each path in turn (the request itself, then every nested object). */
function withUnknownKeys(sample: unknown): Array<{ where: string; request: unknown }> {
  const out: Array<{ where: string; request: unknown }> = [];
  const visit = (value: unknown, where: string, rebuild: (v: unknown) => unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${where}[${i}]`, (v) => rebuild(value.map((x, j) => (j === i ? v : x)))));
    } else if (isPlainObject(value)) {
      out.push({ where: where || '(request)', request: rebuild({ ...value, [UNKNOWN]: 1 }) });
      for (const [k, v] of Object.entries(value)) visit(v, where ? `${where}.${k}` : k, (nv) => rebuild({ ...value, [k]: nv }));
    }
  };
  visit(sample, '', (v) => v);
  return out;
}

/** The sample with each top-level field given a value of another type. */
function withWrongTypes(sample: unknown): Array<{ where: string; request: unknown }> {
  if (!isPlainObject(sample)) return [];
  return Object.entries(sample).map(([k, v]) => ({
    where: k,
    request: { ...sample, [k]: typeof v === 'string' ? 12345 : typeof v === 'number' ? 'not a number' : typeof v === 'boolean' ? 'yes' : 'not an object' },
  }));
}

describe('every channel refuses what its request schema does not define', () => {
  const called: string[] = [];
  const handlers = Object.fromEntries(
    NAMES.map((name) => [
      name,
      async () => {
        called.push(name);
        return null;
      },
    ]),
  ) as unknown as Handlers;
  const signal = new AbortController().signal;
  const send = (channel: ChannelName, request: unknown) => dispatch(handlers, channel, request, signal);

  it('has a well-formed sample for every channel, and each sample reaches its handler', async () => {
    expect(NAMES.filter((n) => SAMPLES[n] === undefined), 'channels without a sample in this test').toEqual([]);
    for (const name of NAMES) {
      called.length = 0;
      const result = await send(name, SAMPLES[name]);
      expect(result, name).toEqual({ ok: true, value: null });
      expect(called).toEqual([name]);
    }
  });

  it.each(NAMES)('%s: an unknown field, anywhere in the request, is invalid_input', async (name) => {
    called.length = 0;
    const cases = withUnknownKeys(SAMPLES[name]);
    expect(cases.length).toBeGreaterThan(0);
    for (const { where, request } of cases) {
      const result = await send(name, request);
      expect(result, `${name} with an unknown field in ${where}`).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/Invalid request for/) } });
    }
    expect(called).toEqual([]);
  });

  it.each(NAMES)('%s: a field of the wrong type, or a request that is not an object, is invalid_input', async (name) => {
    called.length = 0;
    const cases = [...withWrongTypes(SAMPLES[name]), ...['a string', 42, true, [], [SAMPLES[name]]].map((request) => ({ where: JSON.stringify(request), request }))];
    for (const { where, request } of cases) {
      expect(await send(name, request), `${name}: ${where}`).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(called).toEqual([]);
  });
});

describe('with the engine', () => {
  let base: string;
  let engine: Engine;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-strict-'));
    engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'k')) });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('a malformed costs:resetCatalog keeps the user\'s price edits', async () => {
    expect(await engine.invoke('costs:setPrice', { provider: 'gcs', region: 'europe-west1', field: 'egress', value: 0.2 })).toMatchObject({ ok: true });
    const reset = await engine.invoke('costs:resetCatalog', { providr: 'gcs' });
    expect(reset).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('providr') } });
    const catalog = await engine.invoke('costs:catalog', {});
    expect(catalog).toMatchObject({ ok: true, value: { overlay: { edits: [expect.objectContaining({ provider: 'gcs', field: 'egress', value: 0.2 })] } } });
    expect(await engine.invoke('costs:history', { url: 's3://x/y/' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
