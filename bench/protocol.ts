import { z } from 'zod';
import { AccountInputSchema } from '../shared/accounts';

/** What bench/run.ts sends (on stdin) to the child processes it measures, and what they print back. */
export const CopyRequestSchema = z.object({
  /** A fresh folder for the engine's dataDir and key file. */
  workDir: z.string(),
  accounts: z.array(AccountInputSchema),
  sources: z.array(z.string()).min(1),
  destination: z.string(),
  /** JobOptions.allowCloudPull: the destination may fetch each file itself from a signed link of the source. */
  allowCloudPull: z.boolean().optional(),
});
export type CopyRequest = z.input<typeof CopyRequestSchema>;

export const CopyResultSchema = z.object({
  state: z.string(),
  error: z.string().optional(),
  path: z.string().optional(),
  filesDone: z.number().optional(),
  filesFailed: z.number().optional(),
  bytesDone: z.number().optional(),
  /** createEngine plus accounts:save. */
  engineReadyMs: z.number().optional(),
  /** jobs:start to the completion event: listing, transfer and verification. */
  jobMs: z.number().optional(),
  /** When each phase was first reported, in ms from jobs:start. */
  phases: z.record(z.string(), z.number()).optional(),
  /** How many files were verified by which checksum. */
  checksums: z.record(z.string(), z.number()).optional(),
  /** [ms, bytesDone, filesDone] about once a second. */
  trace: z.array(z.tuple([z.number(), z.number(), z.number()])).optional(),
  /** Requests by kind during the job (bench/http-stats.ts), time to the response's headers. */
  http: z.record(z.string(), z.object({ count: z.number(), totalMs: z.number(), maxMs: z.number() })).optional(),
  /** The largest of each process.memoryUsage() figure, sampled every 100 ms during the job (bytes). */
  /** Files by the path their bytes took (relay, cloud-pull, ...). */
  paths: z.record(z.string(), z.number()).optional(),
  memory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number(), external: z.number(), arrayBuffers: z.number() }).optional(),
});
export type CopyResult = z.infer<typeof CopyResultSchema>;

export const SdkUploadRequestSchema = z.object({
  endpoint: z.string(),
  region: z.string(),
  accessKeyId: z.string(),
  secretAccessKey: z.string(),
  bucket: z.string(),
  key: z.string(),
  file: z.string(),
  partSizeBytes: z.number(),
  queueSize: z.number(),
});
export type SdkUploadRequest = z.infer<typeof SdkUploadRequestSchema>;

export const SdkUploadResultSchema = z.object({ ok: z.boolean(), ms: z.number().optional(), error: z.string().optional() });
export type SdkUploadResult = z.infer<typeof SdkUploadResultSchema>;

/** The last `RESULT {json}` line of a child's stdout, parsed with `schema`. */
export function parseResult<T>(stdout: string, schema: z.ZodType<T>): T | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (!line) return undefined;
  const parsed = schema.safeParse(JSON.parse(line.slice('RESULT '.length)));
  return parsed.success ? parsed.data : undefined;
}
