/**
 * The baseline for the single-upload figure: the bare SDK call (lib-storage Upload from a file stream) with the
 * part size and concurrency the engine uses, in a process of its own like the engine's run. Request on stdin,
 * one `RESULT {json}` line out.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SdkUploadRequestSchema, type SdkUploadResult } from './protocol';

async function main(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const req = SdkUploadRequestSchema.parse(JSON.parse(text));
  const client = new S3Client({
    region: req.region,
    endpoint: req.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: req.accessKeyId, secretAccessKey: req.secretAccessKey },
  });
  try {
    const start = performance.now();
    const { size } = await stat(req.file);
    await new Upload({
      client,
      params: { Bucket: req.bucket, Key: req.key, Body: createReadStream(req.file), ContentLength: size },
      partSize: req.partSizeBytes,
      queueSize: req.queueSize,
    }).done();
    const result: SdkUploadResult = { ok: true, ms: performance.now() - start };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    client.destroy();
  }
}

main().catch((e: unknown) => {
  process.stdout.write(`RESULT ${JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
});
