import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
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

/** Under node_modules so that the bundles resolve the npm packages and no linter or git ever sees them. */
export const BUILD_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'skyferry-bench');
const ENTRIES = ['skyferry-copy', 'sdk-upload', 'shaper'] as const;
type Entry = Exclude<(typeof ENTRIES)[number], 'shaper'>;

/**
 * Bundles the child entries the way the app ships its engine (scripts/build.mjs: esbuild, ESM for Node 20, npm
 * packages external), so that the children run plain Node: no tsx compiler or esbuild service in the measured
 * memory, as in the app.
 */
export async function buildEntries(): Promise<void> {
  // Chunk names carry a hash: the last build's are removed rather than left to pile up.
  rmSync(path.join(BUILD_DIR, 'chunks'), { recursive: true, force: true });
  await build({
    entryPoints: ENTRIES.map((e) => path.join(REPO_ROOT, 'bench', `${e}.ts`)),
    outdir: BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // A dynamic import stays one (skyferry-copy.ts loads the engine after holding the new space).
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'warning',
  });
}

/** A bundled entry of bench/ in its own Node process, so that the RSS measured is the entry's own. */
async function runEntry(entry: Entry, input: unknown, echo: boolean): Promise<Measured> {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of every child, for looking at where the engine spends its time.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // BENCH_NODE_FLAGS="--trace-gc …": extra Node/V8 flags for the children, for experiments.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const measured = await runMeasured(process.execPath, [...prof, ...flags, path.join(BUILD_DIR, `${entry}.mjs`)], {
    env: cleanEnv(),
    cwd: REPO_ROOT,
    input: JSON.stringify(input),
    echo,
  });
  // BENCH_CHILD_STDOUT=<file>: each child's whole output appended there (what V8 prints for --trace-gc goes to stdout).
  if (process.env.BENCH_CHILD_STDOUT) await appendFile(process.env.BENCH_CHILD_STDOUT, measured.stdout);
  return measured;
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
  const measured = await runEntry('skyferry-copy', req, echo);
  const result = parseResult(measured.stdout, CopyResultSchema) ?? { state: 'failed', error: `no result (exit ${measured.code}): ${measured.stderr.slice(-2000)}` };
  return { measured, result };
}

export async function runSdkUpload(req: SdkUploadRequest): Promise<{ measured: Measured; result: SdkUploadResult }> {
  const measured = await runEntry('sdk-upload', req, false);
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
