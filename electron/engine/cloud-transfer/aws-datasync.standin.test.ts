import { afterEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import type { CreatedResource } from '../../../shared/contract/cloud-transfer.channels';
import { parseLocation } from '../../../shared/location';
import { dataSyncStandIn, type DataSyncStep } from '../test-support/datasync-stand-in';
import { createDataSyncClient, DataSyncTransfer, type DataSyncSource } from './aws-datasync';
import { routeTransfer } from './routing';

const S3: AccountSettings & { kind: 's3' } = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
const GCS: AccountSettings = { kind: 'gcs', name: 'gcp', projectId: 'p' } as AccountSettings;

const routeFrom = (src: AccountSettings, uri: string) =>
  routeTransfer({
    source: { settings: src, location: parseLocation(uri) },
    destination: { settings: S3, location: parseLocation('s3://aws/sink/in/') },
    mode: 'copy',
    deletionsEnabled: false,
    filters: { include: ['logs/**', 'img/**'], exclude: ['tmp/**'] },
  });

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: DataSyncStep[], executionsBefore = 0) {
  const server = await dataSyncStandIn({ region: 'us-east-1', script, executionsBefore }).start();
  const ds = new DataSyncTransfer(createDataSyncClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'secret' }, endpoint: server.url }));
  close = async () => {
    ds.close();
    await server.close();
  };
  return { server, ds };
}

const plan = (source: DataSyncSource, uri = 's3://aws/src/data/', settings: AccountSettings = S3) => ({ route: routeFrom(settings, uri), source, destinationRoleArn: 'arn:aws:iam::111122223333:role/SkyferryDataSync', name: 'skyferry-m1' });

describe('DataSync through its SDK, against the JSON 1.1 stand-in', () => {
  it('creates the locations and an Enhanced task from the route, starts it and follows it to success', async () => {
    const { server, ds } = await setup([
      { Status: 'LAUNCHING' },
      { Status: 'TRANSFERRING', FilesListed: { AtSource: 10 }, EstimatedBytesToTransfer: 1000, FilesTransferred: 4, BytesTransferred: 400 },
      { Status: 'SUCCESS', FilesListed: { AtSource: 10 }, EstimatedBytesToTransfer: 1000, FilesTransferred: 10, BytesTransferred: 1000, FilesFailed: { Prepare: 0, Transfer: 0, Verify: 0, Delete: 0 } },
    ]);
    const created: CreatedResource[] = [];
    const task = await ds.create(plan({ kind: 'aws-s3', roleArn: 'arn:aws:iam::111122223333:role/SkyferryDataSync' }), (r) => {
      created.push(r);
    });
    expect(created.map((c) => c.kind)).toEqual(['datasync-location', 'datasync-location', 'datasync-task']);
    const sentTask = server.tasks.get(task);
    expect(sentTask).toMatchObject({
      TaskMode: 'ENHANCED',
      Includes: [{ FilterType: 'SIMPLE_PATTERN', Value: '/logs/*|/img/*' }],
      Excludes: [{ FilterType: 'SIMPLE_PATTERN', Value: '/tmp/*' }],
      Options: { PreserveDeletedFiles: 'PRESERVE' },
    });
    expect([...server.locations.values()][0]).toMatchObject({ S3BucketArn: 'arn:aws:s3:::src', Subdirectory: '/data/' });

    const exec = await ds.start(task);
    const states = [];
    for (let i = 0; i < 3; i++) states.push(await ds.progress(exec));
    expect(states.map((s) => s.state)).toEqual(['running', 'running', 'succeeded']);
    expect(states[1]).toMatchObject({ objectsFound: 10, bytesFound: 1000, objectsCopied: 4, bytesCopied: 400 });
    expect(server.failures).toEqual([]);
  });

  it('a GCS source becomes an object-storage location at storage.googleapis.com with the HMAC key', async () => {
    const { server, ds } = await setup([{ Status: 'QUEUED' }]);
    await ds.create(plan({ kind: 'gcs', hmacAccessKey: 'GOOGHMAC', hmacSecret: 'hmac-secret' }, 'gs://gcp/gbucket/', GCS), () => undefined);
    expect([...server.locations.values()][0]).toMatchObject({ ServerHostname: 'storage.googleapis.com', ServerProtocol: 'HTTPS', BucketName: 'gbucket', AccessKey: 'GOOGHMAC' });
    expect(server.names()[0]).toBe('CreateLocationObjectStorage');
    expect(server.failures).toEqual([]);
  });

  it('lists executions across pages, cancels, and removes the task before its locations', async () => {
    const { server, ds } = await setup([{ Status: 'TRANSFERRING' }], 3);
    const created: CreatedResource[] = [];
    const task = await ds.create(plan({ kind: 'azure-blob', containerUrl: 'https://acct.blob.core.windows.net/c', sasToken: 'sv=x&sig=y' }, 's3://aws/src/'), (r) => {
      created.push(r);
    });
    const exec = await ds.start(task);
    expect(await ds.executions(task)).toHaveLength(4);
    expect(server.names().filter((n) => n === 'ListTaskExecutions')).toHaveLength(2);
    await ds.cancel(exec);
    const p = await ds.progress(exec, true);
    expect(p.state).toBe('cancelled');
    await ds.remove(created);
    expect(server.tasks.size).toBe(0);
    expect(server.locations.size).toBe(0);
    expect(server.failures).toEqual([]);
  });

  it('says a service-side failure in words', async () => {
    const { server, ds } = await setup([{ Status: 'ERROR', FilesFailed: { Prepare: 0, Transfer: 3, Verify: 0, Delete: 0 }, Result: { ErrorCode: 'S3AccessDenied', ErrorDetail: 'DataSync could not read s3://src', TransferStatus: 'ERROR' } }]);
    const task = await ds.create(plan({ kind: 'aws-s3', roleArn: 'arn:aws:iam::111122223333:role/R' }), () => undefined);
    const p = await ds.progress(await ds.start(task));
    expect(p).toMatchObject({ state: 'failed', objectsFailed: 3 });
    expect(p.errors).toEqual(['S3AccessDenied: DataSync could not read s3://src', 'The transfer phase failed']);
    expect(server.failures).toEqual([]);
  });
});
