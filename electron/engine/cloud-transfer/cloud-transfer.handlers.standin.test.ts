import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import { CreateRequestSchema } from '../../../shared/contract/cloud-transfer.channels';
import type { HandlerContext } from '../dispatch';
import { dataSyncStandIn } from '../test-support/datasync-stand-in';
import { stsStandIn } from '../test-support/sts-stand-in';
import { createCloudTransferHandlers } from './cloud-transfer.handlers';
import { connectDriver, type AccountWithSecrets, type ConnectOptions } from './connect';
import { CloudTransferService } from './service';

const accounts = new Map<string, AccountWithSecrets>([
  ['aws', { settings: { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' }, secrets: { accessKeyId: 'AKIDSOURCE', secretAccessKey: 'source-secret' } }],
  ['gcp', { settings: { kind: 'gcs', name: 'gcp', projectId: 'proj-1' } as AccountSettings, secrets: { serviceAccountJson: '{"type":"service_account"}' } }],
  ['az', { settings: { kind: 'azure', name: 'az', auth: 'sas', accountName: 'acct' }, secrets: {} }],
]);

let dataDir: string;
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyferry-cloudxfer-h-'));
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await rm(dataDir, { recursive: true, force: true });
});

const ctx = { signal: new AbortController().signal } as HandlerContext;
const req = (over: Record<string, unknown>) => CreateRequestSchema.parse({ source: 's3://aws/src/data/', destination: 'gs://gcp/sink/', connection: { account: 'gcp', projectId: 'proj-1' }, bytes: 2 * 1024 ** 3, ...over });

async function setup() {
  const sts = await stsStandIn({ projectId: 'proj-1', script: [{ status: 'IN_PROGRESS', counters: { objectsCopiedToSink: '3' } }, { status: 'SUCCESS', counters: { objectsCopiedToSink: '9' } }] }).start();
  const ds = await dataSyncStandIn({ region: 'us-east-1', script: [{ Status: 'TRANSFERRING' }] }).start();
  const googleAuth = new OAuth2Client();
  googleAuth.setCredentials({ access_token: 'stand-in-token', expiry_date: Date.now() + 3_600_000 });
  const connect: ConnectOptions = { endpoints: { sts: sts.url, datasync: ds.url }, googleAuth };
  const service = await CloudTransferService.open({ dataDir, driverFor: (t) => connectDriver(t, accounts.get(t.connection.account), connect) });
  const h = createCloudTransferHandlers({ accounts, service, connect });
  cleanup.push(() => sts.close(), () => ds.close());
  return { sts, ds, h, service, connect };
}

describe('cloudTransfers:* channels, against the stand-ins', () => {
  it('route: the engine, the grants and the fee for the pair', async () => {
    const { h } = await setup();
    const r = await h['cloudTransfers:route'](req({ filters: { minSize: 1 } }), ctx);
    expect(r).toMatchObject({ engine: 'gcp-sts', engineName: 'Google Storage Transfer Service', fee: { usd: 0, complete: true } });
    expect(r.filters).toEqual([{ filter: 'minSize: 1', unmapped: 'Storage Transfer Service has no object size condition' }]);
  });

  it('preview lists what will be created; create refuses unmapped filters until accepted, then creates, runs and journals', async () => {
    const { h, sts } = await setup();
    const preview = await h['cloudTransfers:preview'](req({ filters: { minSize: 1 } }), ctx);
    expect(preview.creates).toEqual([{ kind: 'sts-job', description: expect.stringContaining('A Storage Transfer Service job in project proj-1 copying src/data/ to gs://sink/') }]);
    expect(preview.unmapped).toHaveLength(1);
    expect(sts.calls).toHaveLength(0); // nothing created by a preview
    await expect(h['cloudTransfers:create'](req({ filters: { minSize: 1 } }), ctx)).rejects.toThrow(/cannot apply: minSize: 1/);
    const t = await h['cloudTransfers:create'](req({ filters: { minSize: 1 }, acceptUnmapped: true }), ctx);
    expect(t).toMatchObject({ engine: 'gcp-sts', serviceJobId: expect.stringMatching(/^transferJobs\//), created: [{ kind: 'sts-job' }], progress: { state: 'running', objectsCopied: 3 } });
    expect(sts.jobs.get(t.serviceJobId)).toMatchObject({ transferSpec: { awsS3DataSource: { awsAccessKey: { accessKeyId: 'AKIDSOURCE' } } } });
    expect((await h['cloudTransfers:list']({}, ctx)).map((x) => x.id)).toEqual([t.id]);
    expect((await h['cloudTransfers:refresh']({ id: t.id }, ctx)).progress?.state).toBe('succeeded');
    await h['cloudTransfers:remove']({ id: t.id }, ctx);
    expect(sts.jobs.size).toBe(0);
    expect(sts.failures).toEqual([]);
  });

  it('DataSync: blocked without the role, created with it; Storage Mover is said to be out of reach', async () => {
    const { h, ds } = await setup();
    const dsReq = { destination: 's3://aws/sink/', connection: { account: 'aws', region: 'us-east-1' } };
    expect((await h['cloudTransfers:preview'](req(dsReq), ctx)).blocked).toMatch(/ARN of the role/);
    const t = await h['cloudTransfers:create'](req({ ...dsReq, roleArn: 'arn:aws:iam::111122223333:role/SkyferryDataSync' }), ctx);
    expect(t.created.map((c) => c.kind)).toEqual(['datasync-location', 'datasync-location', 'datasync-task']);
    await h['cloudTransfers:cancel']({ id: t.id }, ctx);
    await h['cloudTransfers:remove']({ id: t.id }, ctx);
    expect(ds.tasks.size + ds.locations.size).toBe(0);
    const mover = await h['cloudTransfers:preview'](req({ destination: 'az://az/c/', connection: { account: 'az' } }), ctx);
    expect(mover.route.engine).toBe('azure-storage-mover');
    expect(mover.blocked).toMatch(/Entra ID/);
    expect(ds.failures).toEqual([]);
  });

  it('DataSync from Google Cloud Storage: an object-storage location at Google’s S3-compatible endpoint with the HMAC key, an Enhanced task without tags', async () => {
    const { h, ds, service } = await setup();
    const gcsReq = { source: 'gs://gcp/gbucket/photos/', destination: 's3://aws/sink/in/', connection: { account: 'aws', region: 'us-east-1' }, roleArn: 'arn:aws:iam::111122223333:role/SkyferryDataSync', filters: { include: ['raw/**'] } };
    expect((await h['cloudTransfers:preview'](req(gcsReq), ctx)).blocked).toMatch(/HMAC key/);
    const hmac = { accessId: 'GOOG1EHMACACCESSID', secret: 'hmac-secret-value-123' };
    const preview = await h['cloudTransfers:preview'](req({ ...gcsReq, hmac }), ctx);
    expect(preview.blocked).toBeUndefined();
    expect(preview.creates[0]?.description).toMatch(/object-storage location for gs:\/\/gbucket\/photos\/, read through storage.googleapis.com .* GOOG1EHMACACCESSID/);
    expect(ds.calls).toHaveLength(0);

    const t = await h['cloudTransfers:create'](req({ ...gcsReq, hmac }), ctx);
    expect(ds.names().slice(0, 4)).toEqual(['CreateLocationObjectStorage', 'CreateLocationS3', 'CreateTask', 'StartTaskExecution']);
    const [source, destination] = [...ds.locations.entries()];
    expect(source?.[1]).toEqual({ ServerHostname: 'storage.googleapis.com', ServerProtocol: 'HTTPS', ServerPort: 443, BucketName: 'gbucket', Subdirectory: '/photos/', AccessKey: 'GOOG1EHMACACCESSID', SecretKey: 'hmac-secret-value-123' });
    expect(destination?.[1]).toEqual({ S3BucketArn: 'arn:aws:s3:::sink', Subdirectory: '/in/', S3Config: { BucketAccessRoleArn: 'arn:aws:iam::111122223333:role/SkyferryDataSync' } });
    expect(ds.tasks.get(t.serviceJobId)).toMatchObject({
      SourceLocationArn: source?.[0],
      DestinationLocationArn: destination?.[0],
      TaskMode: 'ENHANCED',
      Includes: [{ FilterType: 'SIMPLE_PATTERN', Value: '/raw/*' }],
      Options: { ObjectTags: 'NONE', TransferMode: 'CHANGED', PreserveDeletedFiles: 'PRESERVE' },
    });
    expect(t).toMatchObject({ engine: 'aws-datasync', created: [{ kind: 'datasync-location' }, { kind: 'datasync-location' }, { kind: 'datasync-task' }] });

    // The key went to DataSync only: not in the journal, the record, or what the renderer gets.
    const journal = await readFile(path.join(dataDir, 'cloud-transfers.json'), 'utf8');
    for (const text of [journal, JSON.stringify(service.list()), JSON.stringify(t)]) expect(text).not.toContain('hmac-secret-value-123');
    expect(ds.failures).toEqual([]);
  });
});
