import path from 'node:path';
import type { AzuriteHandle, MinioHandle } from '../tools/emulators/emulators';
import { REPO_ROOT } from '../tools/emulators/versions';
import { runMeasured, type Measured } from './measure';
import { CopyResultSchema, parseResult, SdkUploadResultSchema, type CopyRequest, type CopyResult, type SdkUploadRequest, type SdkUploadResult } from './protocol';

/** The environment of a measured child: this one's, without anything that would point an SDK or rclone elsewhere. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // rclone breaks on S3 when AWS_CA_BUNDLE is set (../shared/EMULATORS.md); no AWS_* may leak into any run.
  for (const k of Object.keys(env)) if (k.startsWith('AWS_') || k.startsWith('RCLONE_CONFIG_')) delete env[k];
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  return env;
}

/** A tsx entry of bench/ in its own Node process (no tsx wrapper process, so the RSS measured is the entry's). */
async function runEntry(entry: string, input: unknown, echo: boolean): Promise<Measured> {
  return runMeasured(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench', entry)], {
    env: cleanEnv(),
    cwd: REPO_ROOT,
    input: JSON.stringify(input),
    echo,
  });
}

/** The emulators as saved accounts of the engine (Azurite left out when the run does not use it). */
export function engineAccounts(minio: MinioHandle, az?: AzuriteHandle): CopyRequest['accounts'] {
  const accounts: CopyRequest['accounts'] = [
    {
      kind: 's3',
      name: 'minio',
      region: minio.region,
      endpoint: minio.endpoint,
      forcePathStyle: true,
      checksumMode: 'when_supported',
      secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    },
  ];
  if (az) accounts.push({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint, secrets: { accountKey: az.accountKey } });
  return accounts;
}

export async function runSkyferry(req: CopyRequest, echo = false): Promise<{ measured: Measured; result: CopyResult }> {
  const measured = await runEntry('skyferry-copy.ts', req, echo);
  const result = parseResult(measured.stdout, CopyResultSchema) ?? { state: 'failed', error: `no result (exit ${measured.code}): ${measured.stderr.slice(-2000)}` };
  return { measured, result };
}

export async function runSdkUpload(req: SdkUploadRequest): Promise<{ measured: Measured; result: SdkUploadResult }> {
  const measured = await runEntry('sdk-upload.ts', req, false);
  const result = parseResult(measured.stdout, SdkUploadResultSchema) ?? { ok: false, error: `no result (exit ${measured.code}): ${measured.stderr.slice(-2000)}` };
  return { measured, result };
}

/**
 * rclone's remotes from environment variables only (no config file): `src` is MinIO, `dst` is Azurite with its
 * well-known account and key on the emulator's own endpoint (rclone's `use_emulator` assumes port 10000).
 */
export function rcloneEnv(minio: MinioHandle, az: AzuriteHandle, configFile: string): Record<string, string> {
  return {
    RCLONE_CONFIG: configFile,
    RCLONE_CONFIG_SRC_TYPE: 's3',
    RCLONE_CONFIG_SRC_PROVIDER: 'Minio',
    RCLONE_CONFIG_SRC_ENDPOINT: minio.endpoint,
    RCLONE_CONFIG_SRC_REGION: minio.region,
    RCLONE_CONFIG_SRC_ACCESS_KEY_ID: minio.accessKeyId,
    RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY: minio.secretAccessKey,
    RCLONE_CONFIG_DST_TYPE: 'azureblob',
    RCLONE_CONFIG_DST_ACCOUNT: az.accountName,
    RCLONE_CONFIG_DST_KEY: az.accountKey,
    RCLONE_CONFIG_DST_ENDPOINT: az.endpoint,
  };
}

export async function runRclone(bin: string, env: Record<string, string>, args: string[]): Promise<Measured> {
  return runMeasured(bin, args, { env: cleanEnv(env) });
}

export type { CopyResult, SdkUploadResult };
