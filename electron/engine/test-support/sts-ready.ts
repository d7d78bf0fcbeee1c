import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { MinioHandle } from '../../../tools/emulators/emulators';

/**
 * MinIO answers S3 before its IAM subsystem is up: an AssumeRole in its first second may get 503 "Server not
 * initialized". Resolves once its STS gives a role's credentials (within `timeoutMs`), so a test of roles starts there.
 */
export async function waitForMinioSts(minio: MinioHandle, timeoutMs = 30_000): Promise<void> {
  const sts = new STSClient({ region: minio.region, endpoint: minio.endpoint, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/ready', RoleSessionName: 'ready' }));
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    sts.destroy();
  }
}
