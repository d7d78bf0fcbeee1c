import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AzureSettings, EntraIdentity } from '../../../shared/accounts';
import { CreateRequestSchema } from '../../../shared/contract/cloud-transfer.channels';
import type { HandlerContext } from '../dispatch';
import { ARM_AUDIENCE, fakeJwt, TEST_TENANT } from '../test-support/entra-stand-in';
import { storageMoverStandIn } from '../test-support/storage-mover-stand-in';
import { createCloudTransferHandlers } from './cloud-transfer.handlers';
import { connectDriver, type AccountWithSecrets, type ConnectOptions } from './connect';
import { CloudTransferService } from './service';

/**
 * Azure Storage Mover created from a plan through the channels, driven by an Azure account signed in with Microsoft
 * Entra ID, against the HTTPS stand-in of its Resource Manager surface (which requires the identity's bearer token).
 */
const SUB = '00000000-0000-0000-0000-000000000001';
const CONNECTOR = `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.HybridConnectivity/publicCloudConnectors/aws-connector`;
const BUCKET_ID = `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.AwsConnector/s3Buckets/src`;
const ENTRA: EntraIdentity = { credential: 'azureCli', tenantId: TEST_TENANT };

const accounts = new Map<string, AccountWithSecrets>([
  ['aws', { settings: { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' }, secrets: { accessKeyId: 'AKIDSOURCE', secretAccessKey: 'source-secret' } }],
  ['az', { settings: { kind: 'azure', name: 'az', auth: 'entra', entra: ENTRA, accountName: 'acct' }, secrets: {} }],
  ['azsas', { settings: { kind: 'azure', name: 'azsas', auth: 'sas', accountName: 'acct' }, secrets: { sasToken: 'sv=x&sig=y' } }],
]);

let dataDir: string;
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyferry-mover-h-'));
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await rm(dataDir, { recursive: true, force: true });
});

const ctx = { signal: new AbortController().signal } as HandlerContext;
const connection = { account: 'az', subscriptionId: SUB, resourceGroup: 'rg', storageMover: 'mover' };
const req = (over: Record<string, unknown>) => CreateRequestSchema.parse({ source: 's3://aws/src/data/', destination: 'az://az/sink/in/', connection, ...over });

async function setup() {
  const token = fakeJwt(ARM_AUDIENCE);
  const server = await storageMoverStandIn({
    subscriptionId: SUB,
    resourceGroup: 'rg',
    storageMover: 'mover',
    bearer: token,
    script: [{ status: 'Running', itemsScanned: 10, bytesScanned: 1000, itemsTransferred: 4, bytesTransferred: 400, itemsFailed: 0 }],
  }).start();
  // The engine's Entra credential for the account's identity; what is asked of it is kept.
  const asked: Array<{ account: string; identity: EntraIdentity | undefined; scopes: string | string[] }> = [];
  const azureCredential = (settings: AzureSettings): TokenCredential => ({
    getToken: (scopes): Promise<AccessToken> => {
      asked.push({ account: settings.name, identity: settings.entra, scopes });
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  });
  const connect: ConnectOptions = { endpoints: { arm: server.url }, armCa: server.ca, armPollMs: 20, azureCredential };
  const service = await CloudTransferService.open({ dataDir, driverFor: (t) => connectDriver(t, accounts.get(t.connection.account), connect) });
  const h = createCloudTransferHandlers({ accounts, service, connect });
  cleanup.push(() => server.close());
  return { server, h, asked };
}

describe('Azure Storage Mover through the channels, with an Entra ID sign-in', () => {
  it('says what it needs: an Entra account, the mover, the multicloud connector', async () => {
    const { h, server } = await setup();
    expect((await h['cloudTransfers:preview'](req({ connection: { ...connection, account: 'azsas' } }), ctx)).blocked).toMatch(/signed in with Microsoft Entra ID/);
    expect((await h['cloudTransfers:preview'](req({ connection: { account: 'az' } }), ctx)).blocked).toMatch(/subscription, resource group and storage mover/);
    expect((await h['cloudTransfers:preview'](req({}), ctx)).blocked).toMatch(/multicloud connector/);
    await expect(h['cloudTransfers:create'](req({}), ctx)).rejects.toThrow(/multicloud connector/);
    expect(server.calls).toHaveLength(0);
  });

  it('creates the project, the endpoints and a cloud-to-cloud job definition with the identity’s token, follows, stops and removes it', async () => {
    const { h, server, asked } = await setup();
    const mover = { multiCloudConnectorId: CONNECTOR, awsS3BucketId: BUCKET_ID };
    const preview = await h['cloudTransfers:preview'](req({ mover }), ctx);
    expect(preview.blocked).toBeUndefined();
    expect(preview.creates.map((c) => c.kind)).toEqual(['mover-project', 'mover-endpoint', 'mover-endpoint', 'mover-job-definition']);
    expect(preview.creates[2]?.description).toContain(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`);
    expect(server.calls).toHaveLength(0);

    const t = await h['cloudTransfers:create'](req({ mover }), ctx);
    expect(server.names().slice(0, 6)).toEqual(['projects.createOrUpdate', 'endpoints.createOrUpdate', 'endpoints.createOrUpdate', 'jobDefinitions.createOrUpdate', 'jobDefinitions.startJob', 'jobRuns.get']);
    const body = (i: number) => server.calls[i]?.body;
    expect(body(1)).toMatchObject({ properties: { endpointType: 'AzureMultiCloudConnector', multiCloudConnectorId: CONNECTOR, awsS3BucketId: BUCKET_ID } });
    expect(body(2)).toMatchObject({ properties: { endpointType: 'AzureStorageBlobContainer', storageAccountResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`, blobContainerName: 'sink' } });
    expect(body(3)).toMatchObject({ properties: { jobType: 'CloudToCloud', copyMode: 'Additive', sourceSubpath: 'data/', targetSubpath: 'in/' } });
    expect(t).toMatchObject({ engine: 'azure-storage-mover', engineName: 'Azure Storage Mover', canPause: false, progress: { state: 'running', objectsFound: 10, objectsCopied: 4, bytesCopied: 400 } });
    expect(t.serviceRunId).toMatch(/\/jobRuns\/run-/);
    expect(t.created.map((c) => c.kind)).toEqual(['mover-project', 'mover-endpoint', 'mover-endpoint', 'mover-job-definition']);

    // The account's own Entra identity, asked for tokens of the Resource Manager it talks to (management.azure.com
    // outside the tests); no token in the journal.
    expect(asked.length).toBeGreaterThan(0);
    for (const a of asked) expect(a).toEqual({ account: 'az', identity: ENTRA, scopes: [`${server.url.replace(/\/$/, '')}/.default`] });
    expect(await readFile(path.join(dataDir, 'cloud-transfers.json'), 'utf8')).not.toContain('eyJ');

    await expect(h['cloudTransfers:pause']({ id: t.id }, ctx)).rejects.toThrow(/cannot pause/);
    await h['cloudTransfers:cancel']({ id: t.id }, ctx);
    expect((await h['cloudTransfers:list']({}, ctx))[0]?.progress?.state).toBe('cancelled');
    await h['cloudTransfers:remove']({ id: t.id }, ctx);
    expect(server.resources.size).toBe(0);
    expect(server.failures).toEqual([]);
  });
});
