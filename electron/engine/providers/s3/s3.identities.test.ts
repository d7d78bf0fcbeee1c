import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../../../../shared/accounts';
import { startMinio, type MinioHandle } from '../../../../tools/emulators/emulators';
import { testConnection } from '../../accounts/test-connection';
import { JobManager } from '../../jobs/job-manager';
import { readAll } from '../../test-support/conformance/data';
import { withFaults } from '../../test-support/faulty-provider';
import { resolverFor } from '../../test-support/resolver';
import { createLocalProvider } from '../local/local.provider';
import type { EventName, EventPayload } from '../../../../shared/contract';
import { createMfaBroker } from '../../accounts/identities/mfa';
import { listAwsProfiles } from './s3.credentials';
import { createS3Provider } from './s3.provider';
import { waitForMinioSts } from '../../test-support/sts-ready';

/**
 * Accounts that sign in with a profile of the AWS config files, resolved by the SDK against MinIO: a role assumed
 * through MinIO's STS (AssumeRole with the source profile's keys), a credential_process whose credentials expire
 * during a job, and an SSO profile whose cached session has expired. The config files are temporary and named by
 * AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, as a user's shell would; HOME points at a temporary folder for
 * the SSO token cache.
 */
let minio: MinioHandle;
let tmp: string;
let countFile: string;
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE, home: process.env.HOME };
const PROCESS_LIFETIME_S = 2;

beforeAll(async () => {
  minio = await startMinio();
  await waitForMinioSts(minio);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-aws-profiles-'));
  countFile = path.join(tmp, 'process-calls.txt');
  // The credential_process: prints the SDK's JSON (Version 1) with an Expiration a few seconds ahead, and logs
  // each call's time so the test can tell that the SDK came back for new credentials.
  const script = path.join(tmp, 'creds.sh');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `date +%s >> "${countFile}"`,
      `exp=$(date -u -d "@$(( $(date +%s) + ${PROCESS_LIFETIME_S} ))" +%Y-%m-%dT%H:%M:%SZ)`,
      `printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","Expiration":"%s"}' '${minio.accessKeyId}' '${minio.secretAccessKey}' "$exp"`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  const config = [
    '[profile root]',
    `aws_access_key_id = ${minio.accessKeyId}`,
    `aws_secret_access_key = ${minio.secretAccessKey}`,
    '',
    '[profile ferry]',
    'role_arn = arn:aws:iam::123456789012:role/skyferry',
    'source_profile = root',
    '',
    '[profile mfa]',
    'role_arn = arn:aws:iam::123456789012:role/skyferry',
    'source_profile = root',
    'mfa_serial = arn:aws:iam::123456789012:mfa/tester',
    '',
    '[profile proc]',
    `credential_process = ${script}`,
    '',
    '[profile corp]',
    'sso_session = corp-session',
    'sso_account_id = 123456789012',
    'sso_role_name = Reader',
    '',
    '[sso-session corp-session]',
    'sso_start_url = https://skyferry-test.awsapps.com/start',
    'sso_region = us-east-1',
    'sso_registration_scopes = sso:account:access',
    '',
  ].join('\n');
  await writeFile(path.join(tmp, 'config'), config);
  await writeFile(path.join(tmp, 'credentials'), '[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = not-a-real-secret\n');
  process.env.AWS_CONFIG_FILE = path.join(tmp, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'credentials');
}, 300_000);

afterAll(async () => {
  for (const [k, v] of [['AWS_CONFIG_FILE', saved.config], ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials], ['HOME', saved.home]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await minio?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const settings = (name: string, profile: string): S3Settings => ({
  kind: 's3',
  name,
  region: minio.region,
  endpoint: minio.endpoint,
  forcePathStyle: true,
  checksumMode: 'when_supported',
  auth: 'profile',
  profile,
});

describe('AWS profiles', () => {
  it('lists the profiles of both files with what each signs in with, and no key', async () => {
    const profiles = await listAwsProfiles();
    const byName = Object.fromEntries(profiles.map((p) => [p.name, p]));
    expect(byName.ferry?.kind).toBe('role');
    expect(byName.proc?.kind).toBe('process');
    expect(byName.corp?.kind).toBe('sso');
    expect(byName.root?.kind).toBe('keys');
    expect(byName.static?.kind).toBe('keys');
    expect(JSON.stringify(profiles)).not.toContain(minio.secretAccessKey);
  });

  it('assumes role_arn with source_profile through MinIO STS: browse and copy work', async () => {
    const s3 = createS3Provider(settings('role', 'ferry'), undefined);
    const local = createLocalProvider({ kind: 'local', name: 'disk', root: tmp });
    try {
      await s3.createBucket('role-bucket');
      expect((await s3.listBuckets()).map((b) => b.name)).toContain('role-bucket');
      await mkdir(path.join(tmp, 'up'), { recursive: true });
      await writeFile(path.join(tmp, 'up', 'hello.txt'), 'hello from a role');
      const jobs = new JobManager({ resolve: resolverFor({ role: s3, disk: local }) });
      const up = jobs.start({ kind: 'copy', sources: ['file://disk/up/hello.txt'], destination: 's3://role/role-bucket/in/' });
      await jobs.waitForIdle();
      expect(jobs.get(up.id).detail().error).toBeUndefined();
      const page = await s3.list('role-bucket', { prefix: 'in/', delimiter: '/' });
      expect(page.entries.map((e) => e.key)).toEqual(['in/hello.txt']);
      await mkdir(path.join(tmp, 'down'), { recursive: true });
      const down = jobs.start({ kind: 'copy', sources: ['s3://role/role-bucket/in/hello.txt'], destination: 'file://disk/down/' });
      await jobs.waitForIdle();
      expect(jobs.get(down.id).detail().error).toBeUndefined();
      expect(jobs.get(down.id).detail().state).toBe('completed');
      expect(await readFile(path.join(tmp, 'down', 'hello.txt'), 'utf8')).toBe('hello from a role');
      const read = await readAll(await s3.open('role-bucket', 'in/hello.txt'));
      expect(read.toString('utf8')).toBe('hello from a role');
    } finally {
      await s3.close?.();
    }
  }, 60_000);

  it('asks for the MFA code of a role with mfa_serial through the prompt, and stops when the prompt is cancelled', async () => {
    const prompts: Array<EventPayload<'accounts:mfaPrompt'>> = [];
    let reply: string | undefined = '123456';
    const broker = createMfaBroker(<E extends EventName>(event: E, payload: EventPayload<E>) => {
      if (event !== 'accounts:mfaPrompt') return;
      const prompt = payload as EventPayload<'accounts:mfaPrompt'>;
      prompts.push(prompt);
      // The user types the code in the window that shows the prompt.
      setTimeout(() => broker.answer(prompt.id, reply), 50);
    });
    const withCode = createS3Provider(settings('mfa', 'mfa'), undefined, { mfaCode: broker.ask });
    await withCode.createBucket('mfa-bucket');
    expect((await withCode.listBuckets()).map((b) => b.name)).toContain('mfa-bucket');
    await withCode.close?.();
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ account: 'mfa', profile: 'mfa', serial: 'arn:aws:iam::123456789012:mfa/tester' });

    reply = undefined;
    const cancelled = createS3Provider(settings('mfa2', 'mfa'), undefined, { mfaCode: broker.ask });
    await expect(cancelled.listBuckets()).rejects.toMatchObject({ code: 'access_denied', message: expect.stringMatching(/MFA code was not entered/) as unknown });
    await cancelled.close?.();
  });

  it('a job longer than the credential_process credentials completes; the process was called again', async () => {
    const s3 = createS3Provider(settings('proc', 'proc'), undefined);
    await writeFile(countFile, '');
    try {
      await s3.createBucket('proc-bucket');
      const src = path.join(tmp, 'slow');
      await mkdir(src, { recursive: true });
      const FILES = 8;
      const SIZE = 15_000;
      for (let i = 0; i < FILES; i++) await writeFile(path.join(src, `f${String(i).padStart(2, '0')}.bin`), Buffer.alloc(SIZE, i));
      // A slow source (10 kB/s a file, two files at a time) spreads the puts over several credential lifetimes.
      const { provider: slow } = withFaults(createLocalProvider({ kind: 'local', name: 'slow', root: tmp }), { readBytesPerSecond: 10_000 });
      const jobs = new JobManager({ resolve: resolverFor({ proc: s3, slow }), maxFiles: 2 });
      const started = Date.now();
      const { id } = jobs.start({ kind: 'copy', sources: ['file://slow/slow/'], destination: 's3://proc/proc-bucket/slow/' });
      await jobs.waitForIdle();
      const elapsed = (Date.now() - started) / 1000;
      const d = jobs.get(id).detail();
      expect(d.error).toBeUndefined();
      expect(d.state).toBe('completed');
      expect(d.filesDone).toBe(FILES);
      expect(elapsed).toBeGreaterThan(PROCESS_LIFETIME_S + 1);
      const calls = (await readFile(countFile, 'utf8')).trim().split('\n').map(Number);
      expect(calls.length).toBeGreaterThanOrEqual(2);
      // Called again after the first credentials had expired, while the job was still running.
      const first = calls[0] ?? 0;
      expect(calls.some((t) => t >= first + PROCESS_LIFETIME_S)).toBe(true);
      const listed = await s3.list('proc-bucket', { prefix: 'slow/' });
      expect(listed.entries).toHaveLength(FILES);
    } finally {
      await s3.close?.();
    }
  }, 120_000);

  it('an expired SSO session names the command that starts it again, not the SDK text', async () => {
    const home = path.join(tmp, 'home');
    const cache = path.join(home, '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    // The SDK's cache file name: the SHA-1 of the sso-session's name.
    const file = `${createHash('sha1').update('corp-session').digest('hex')}.json`;
    await writeFile(path.join(cache, file), JSON.stringify({ accessToken: 'expired-sso-access-token', expiresAt: new Date(Date.now() - 3600_000).toISOString(), region: 'us-east-1', startUrl: 'https://skyferry-test.awsapps.com/start' }));
    process.env.HOME = home;
    const s3 = createS3Provider(settings('sso', 'corp'), undefined);
    try {
      const err = await s3.listBuckets().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      const message = (err as Error).message;
      expect(message).toContain('aws sso login --profile corp');
      expect(message).not.toMatch(/Value not present|TokenProviderError|expired-sso-access-token/);
      expect((err as { code?: string }).code).toBe('access_denied');
      // The dialog's "Test connection" says the same.
      const tested = await testConnection(settings('sso', 'corp'), undefined);
      expect(tested.ok).toBe(false);
      expect(tested.message).toContain('`aws sso login --profile corp`');
    } finally {
      await s3.close?.();
      process.env.HOME = saved.home;
    }
  });

  it('"Environment / instance role" takes the SDK default chain: here the AWS_* variables of the process', async () => {
    const before = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = minio.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = minio.secretAccessKey;
    const s3 = createS3Provider({ ...settings('env', ''), auth: 'environment', profile: undefined }, undefined);
    try {
      await s3.createBucket('env-bucket');
      expect((await s3.listBuckets()).map((b) => b.name)).toContain('env-bucket');
      // Long-lived keys: a share link lasts what was asked.
      expect(await s3.signingExpiry?.()).toBeUndefined();
    } finally {
      await s3.close?.();
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', before.id], ['AWS_SECRET_ACCESS_KEY', before.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a profile that is not in the files says so', async () => {
    const s3 = createS3Provider(settings('nope', 'no-such-profile'), undefined);
    await expect(s3.listBuckets()).rejects.toThrow(/There is no AWS profile "no-such-profile"/);
    await s3.close?.();
  });

  it('uses the static keys of a profile in the credentials file: keys MinIO does not know are refused as keys', async () => {
    const s3 = createS3Provider(settings('static', 'static'), undefined);
    await expect(s3.put('role-bucket', 'x', Readable.from([Buffer.from('x')]), { size: 1 })).rejects.toMatchObject({ code: 'access_denied' });
    await s3.close?.();
  });
});
