import path from 'node:path';
import { createAzureProvider } from '../providers/azure/azure.provider';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { createLocalProvider } from '../providers/local/local.provider';
import type { MultipartSettings, Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { withFaults } from './faulty-provider';

/** What the resume crash test's child and parent both need to reach the destination emulator. */
export type ResumePeer =
  | { kind: 's3'; endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; multipart: MultipartSettings }
  | { kind: 'azure'; endpoint: string; accountName: string; accountKey: string; multipart: MultipartSettings }
  | { kind: 'gcs'; endpoint: string; projectId: string; multipart: MultipartSettings };

/** The destination provider, optionally through another host:port (a proxy) with the same path. */
export function destinationOf(peer: ResumePeer, via?: string): Provider {
  const endpoint = via === undefined ? peer.endpoint : `${via}${new URL(peer.endpoint).pathname.replace(/\/$/, '')}`;
  if (peer.kind === 'gcs') return createGcsProvider({ kind: 'gcs', name: 'dst', projectId: peer.projectId, endpoint, bucket: undefined }, {}, { multipart: peer.multipart });
  if (peer.kind === 'azure') {
    return createAzureProvider({ kind: 'azure', name: 'dst', auth: 'sharedKey', accountName: peer.accountName, endpoint }, { accountKey: peer.accountKey }, { multipart: peer.multipart });
  }
  return createS3Provider(
    { kind: 's3', name: 'dst', region: peer.region, endpoint, forcePathStyle: true, checksumMode: 'when_supported' },
    { accessKeyId: peer.accessKeyId, secretAccessKey: peer.secretAccessKey },
    { multipart: peer.multipart },
  );
}

/** The local source folder `<work>/src`, optionally read slowly (the child, so that it can be killed mid-file). */
export function sourceOf(work: string, readBytesPerSecond?: number): Provider {
  const local = createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') });
  return readBytesPerSecond === undefined ? local : withFaults(local, { readBytesPerSecond }).provider;
}
