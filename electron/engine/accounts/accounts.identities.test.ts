import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/contract';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { Readable } from 'node:stream';
import type { EngineContext } from '../context';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { call } from '../test-support/wait';
import { createFileKeyCipher } from './secret-store';
import { waitForMinioSts } from '../test-support/sts-ready';

/**
 * Accounts on an AWS profile through the engine's channels, as the account dialog and the panes use them: the
 * profile list, a save that stores no secret, a test and a browse with a role that asks for MFA (the prompt is an
 * event, the answer a channel), and a share link that lives no longer than the role's credentials.
 */
let base: string;
let engine: Engine & { context: EngineContext };
let minio: MinioHandle;
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
const events: Array<{ event: string; payload: unknown }> = [];

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-identities-'));
  minio = await startMinio();
  await waitForMinioSts(minio);
  const config = [
    '[profile root]',
    `aws_access_key_id = ${minio.accessKeyId}`,
    `aws_secret_access_key = ${minio.secretAccessKey}`,
    '[profile ferry]',
    'role_arn = arn:aws:iam::123456789012:role/skyferry',
    'source_profile = root',
    'mfa_serial = arn:aws:iam::123456789012:mfa/tester',
    '',
  ].join('\n');
  await writeFile(path.join(base, 'config'), config);
  process.env.AWS_CONFIG_FILE = path.join(base, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(base, 'no-credentials');
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'key')) });
  // The renderer's part: show each prompt and answer it with the code the user typed.
  engine.subscribe((event, payload) => {
    events.push({ event, payload });
    if (event === 'accounts:mfaPrompt') {
      const { id } = payload as { id: string };
      setTimeout(() => void engine.invoke('accounts:mfaCode', { id, code: '123456' }), 20);
    }
  });
}, 300_000);

afterAll(async () => {
  for (const [k, v] of [['AWS_CONFIG_FILE', saved.config], ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await engine?.close();
  await minio?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

const account = () => ({ kind: 's3', name: 'ferry', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, auth: 'profile', profile: 'ferry' });

describe('accounts on an AWS profile, through the engine', () => {
  it('lists the profiles, tests and saves the account with no secret, and browses it after an MFA prompt', async () => {
    const profiles = (await call(engine, 'accounts:awsProfiles', {})) as Array<{ name: string; kind: string; mfa: boolean }>;
    expect(profiles).toEqual(expect.arrayContaining([{ name: 'ferry', kind: 'role', mfa: true }, { name: 'root', kind: 'keys', mfa: false }]));

    const tested = (await call(engine, 'accounts:test', { account: account() })) as { ok: boolean; message: string };
    expect(tested.ok, tested.message).toBe(true);
    const summary = (await call(engine, 'accounts:save', { account: account() })) as { hasSecrets: boolean; settings: Record<string, unknown> };
    expect(summary.hasSecrets).toBe(false);
    expect(summary.settings).toMatchObject({ auth: 'profile', profile: 'ferry' });

    await call(engine, 'buckets:create', { account: 'ferry', bucket: 'shared' });
    const buckets = (await call(engine, 'buckets:list', { account: 'ferry' })) as Array<{ name: string }>;
    expect(buckets.map((b) => b.name)).toContain('shared');
    const prompts = events.filter((e) => e.event === 'accounts:mfaPrompt');
    expect(prompts.length).toBeGreaterThanOrEqual(1);
    expect(prompts[0]?.payload).toMatchObject({ account: expect.any(String) as unknown, profile: 'ferry', serial: 'arn:aws:iam::123456789012:mfa/tester' });
    expect(events.some((e) => e.event === 'accounts:mfaDone')).toBe(true);

    // Nothing the SDK obtained is on disk: accounts.json holds the profile's name, secrets.bin no entry for it.
    const files = await readdir(path.join(base, 'data'));
    const accountsJson = await readFile(path.join(base, 'data', 'accounts.json'), 'utf8');
    expect(accountsJson).toContain('"profile": "ferry"');
    expect(accountsJson).not.toContain(minio.secretAccessKey);
    for (const f of files.filter((n) => n.endsWith('.json') || n.endsWith('.jsonl'))) {
      expect(await readFile(path.join(base, 'data', f), 'utf8')).not.toMatch(/sessionToken|SessionToken/);
    }
  });

  it('a share link signed by the role lives no longer than its credentials, and says so', async () => {
    await engine.context.providers.get('ferry').put('shared', 'docs/report.txt', Readable.from([Buffer.from('report')]), { size: 6 });
    const asked = 7 * 24 * 3600;
    const link = (await call(engine, 'objects:presign', { uri: 's3://ferry/shared/docs/report.txt', expiresSeconds: asked })) as { url: string; expires: string; note?: string };
    const until = await engine.context.providers.get('ferry').signingExpiry?.();
    expect(until).toBeInstanceOf(Date);
    const lives = (Date.parse(link.expires) - Date.now()) / 1000;
    // The role's credentials live an hour or less (MinIO's STS default), far less than the 7 days asked.
    expect(lives).toBeGreaterThan(60);
    expect(lives).toBeLessThanOrEqual(3600);
    expect(Math.abs(Date.parse(link.expires) - (until?.getTime() ?? 0))).toBeLessThan(1000);
    expect(link.note).toMatch(/temporary credentials/);
    const signed = Number(new URL(link.url).searchParams.get('X-Amz-Expires'));
    expect(signed).toBeLessThanOrEqual(Math.ceil(lives) + 1);
    expect(new URL(link.url).searchParams.get('X-Amz-Security-Token')).toBeTruthy();
    expect((await fetch(link.url)).status).toBe(200);
  });

  it('an account switched from saved keys to a profile keeps no secret', async () => {
    const keys = { ...account(), name: 'switch', auth: 'keys', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } };
    expect(((await call(engine, 'accounts:save', { account: keys })) as { hasSecrets: boolean }).hasSecrets).toBe(true);
    const switched = (await call(engine, 'accounts:save', { account: { ...account(), name: 'switch' }, previousName: 'switch' })) as { hasSecrets: boolean };
    expect(switched.hasSecrets).toBe(false);
    const listed = (await call(engine, 'accounts:list', {})) as Array<{ settings: { name: string }; hasSecrets: boolean }>;
    expect(listed.find((a) => a.settings.name === 'switch')?.hasSecrets).toBe(false);
  });

  it('an unanswered prompt can be cancelled from the renderer: the channel refuses a prompt that is not waiting', async () => {
    const r: Result<unknown> = await engine.invoke('accounts:mfaCode', { id: 'not-a-prompt' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('not_found');
  });
});
