import type { TokenCredential } from '@azure/identity';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import type { CreatedResource } from '../../../shared/contract/cloud-transfer.channels';
import { parseLocation } from '../../../shared/location';
import { storageMoverStandIn, type JobRunStep } from '../test-support/storage-mover-stand-in';
import { StorageMoverTransfer } from './azure-storage-mover';
import { routeTransfer } from './routing';

const SUB = '00000000-0000-0000-0000-000000000001';
const S3: AccountSettings = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
const AZ: AccountSettings = { kind: 'azure', name: 'az', auth: 'sas', accountName: 'acct' };

/** A token already in hand, so that nothing asks Entra ID for one. */
const credential: TokenCredential = { getToken: () => Promise.resolve({ token: 'stand-in-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

const route = routeTransfer({
  source: { settings: S3, location: parseLocation('s3://aws/src/data/') },
  destination: { settings: AZ, location: parseLocation('az://az/sink/in/') },
  mode: 'copy',
  deletionsEnabled: false,
  filters: {},
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: JobRunStep[], runsBefore = 0) {
  const server = await storageMoverStandIn({ subscriptionId: SUB, resourceGroup: 'rg', storageMover: 'mover', script, runsBefore }).start();
  const mover = new StorageMoverTransfer({ subscriptionId: SUB, resourceGroup: 'rg', storageMover: 'mover', credential, endpoint: server.url, ca: server.ca, pollIntervalMs: 20 });
  close = () => server.close();
  return { server, mover };
}

const plan = {
  route,
  multiCloudConnectorId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.HybridConnectivity/publicCloudConnectors/aws`,
  awsS3BucketId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.AwsConnector/s3Buckets/src`,
  storageAccountResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`,
  name: 'skyferry-m1',
};

describe('Azure Storage Mover through its ARM SDK, against the HTTPS stand-in', () => {
  it('creates project, endpoints and a cloud-to-cloud job definition; starts and follows the run', async () => {
    const { server, mover } = await setup([
      { status: 'Queued' },
      { status: 'Running', itemsScanned: 10, bytesScanned: 1000, itemsTransferred: 4, bytesTransferred: 400, itemsFailed: 0 },
      { status: 'Succeeded', itemsScanned: 10, bytesScanned: 1000, itemsTransferred: 10, bytesTransferred: 1000, itemsFailed: 0 },
    ]);
    const created: CreatedResource[] = [];
    const name = await mover.create(plan, (r) => {
      created.push(r);
    });
    expect(created.map((c) => c.kind)).toEqual(['mover-project', 'mover-endpoint', 'mover-endpoint', 'mover-job-definition']);
    const def = server.calls.find((c) => c.name === 'jobDefinitions.createOrUpdate')?.body;
    expect(def).toMatchObject({ properties: { jobType: 'CloudToCloud', copyMode: 'Additive', sourceName: 'skyferry-m1-source', sourceSubpath: 'data/', targetName: 'skyferry-m1-target', targetSubpath: 'in/' } });
    const run = await mover.start(name);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await mover.progress(name, run));
    expect(seen.map((p) => p.state)).toEqual(['queued', 'running', 'succeeded']);
    expect(seen[1]).toMatchObject({ objectsFound: 10, objectsCopied: 4, bytesCopied: 400 });
    expect(server.failures).toEqual([]);
  });

  it('lists runs across pages (nextLink), stops the run, and removes what it created through the long-running deletes', async () => {
    const { server, mover } = await setup([{ status: 'Running' }], 3);
    const created: CreatedResource[] = [];
    const name = await mover.create(plan, (r) => {
      created.push(r);
    });
    const run = await mover.start(name);
    expect(await mover.runs(name)).toHaveLength(4);
    await mover.cancel(name);
    expect((await mover.progress(name, run)).state).toBe('cancelled');
    await mover.remove(created);
    expect(server.resources.size).toBe(0);
    expect(server.names().filter((n) => n === 'operationResults.get').length).toBeGreaterThanOrEqual(4);
    expect(server.failures).toEqual([]);
  });

  it('says a service-side failure in words', async () => {
    const { server, mover } = await setup([{ status: 'Failed', itemsFailed: 2, error: { code: 'AuthorizationFailure', message: 'The job cannot write to the target container' } }]);
    const name = await mover.create(plan, () => undefined);
    const p = await mover.progress(name, await mover.start(name));
    expect(p).toMatchObject({ state: 'failed', objectsFailed: 2, errors: ['AuthorizationFailure: The job cannot write to the target container'] });
    expect(server.failures).toEqual([]);
  });
});
