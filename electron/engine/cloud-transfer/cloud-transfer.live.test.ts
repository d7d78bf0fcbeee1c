import { ListTasksCommand } from '@aws-sdk/client-datasync';
import { GoogleAuth } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { createDataSyncClient } from './aws-datasync';
import { createStsClient, StsTransfer } from './gcp-sts';

/**
 * Opt-in checks against the real services, read-only (nothing is created): run only when the user sets the
 * variables below, never in CI.
 *   SKYFERRY_LIVE_GCP_PROJECT=<project> with Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS)
 *   SKYFERRY_LIVE_AWS_REGION=<region> with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
 */
const gcpProject = process.env.SKYFERRY_LIVE_GCP_PROJECT;
const awsRegion = process.env.SKYFERRY_LIVE_AWS_REGION;
const awsKey = process.env.AWS_ACCESS_KEY_ID;
const awsSecret = process.env.AWS_SECRET_ACCESS_KEY;

describe.skipIf(!gcpProject)('live: Storage Transfer Service (skipped: set SKYFERRY_LIVE_GCP_PROJECT and Google credentials to run)', () => {
  it('reads the project’s Storage Transfer service agent over REST', async () => {
    const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const sts = new StsTransfer(createStsClient({ projectId: gcpProject ?? '', auth }), gcpProject ?? '');
    try {
      expect(await sts.serviceAgent()).toMatch(/@storage-transfer-service\.iam\.gserviceaccount\.com$/);
    } finally {
      await sts.close();
    }
  });
});

describe.skipIf(!(awsRegion && awsKey && awsSecret))('live: DataSync (skipped: set SKYFERRY_LIVE_AWS_REGION and AWS credentials to run)', () => {
  it('lists the account’s DataSync tasks', async () => {
    const client = createDataSyncClient({ region: awsRegion ?? '', credentials: { accessKeyId: awsKey ?? '', secretAccessKey: awsSecret ?? '', ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}) } });
    try {
      const r = await client.send(new ListTasksCommand({ MaxResults: 1 }));
      expect(Array.isArray(r.Tasks)).toBe(true);
    } finally {
      client.destroy();
    }
  });
});
