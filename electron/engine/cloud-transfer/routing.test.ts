import { describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import { parseLocation } from '../../../shared/location';
import { globAsKeyPrefix, reachOf, routeTransfer, type RouteInput } from './routing';

const S3_AWS: AccountSettings = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
const S3_MINIO: AccountSettings = { ...S3_AWS, name: 'minio', endpoint: 'https://minio.example.com' };
const GCS: AccountSettings = { kind: 'gcs', name: 'gcp', projectId: 'proj-1' } as AccountSettings;
const GCS_EMU: AccountSettings = { kind: 'gcs', name: 'gcs-emu', endpoint: 'http://127.0.0.1:4443' } as AccountSettings;
const AZ: AccountSettings = { kind: 'azure', name: 'az', auth: 'sas', accountName: 'acct' };
const AZURITE: AccountSettings = { kind: 'azure', name: 'azurite', auth: 'sharedKey', endpoint: 'http://127.0.0.1:10000/devstoreaccount1' };
const LOCAL: AccountSettings = { kind: 'local', name: 'disk', root: '/data' };

const SCHEME: Record<AccountSettings['kind'], string> = { s3: 's3', gcs: 'gs', azure: 'az', local: 'file' };
const end = (settings: AccountSettings, path = 'bucket/data/') => ({ settings, location: parseLocation(`${SCHEME[settings.kind]}://${settings.name}/${path}`) });
const route = (src: AccountSettings, dst: AccountSettings, extra: Partial<RouteInput> = {}) =>
  routeTransfer({ source: end(src), destination: end(dst, 'sink/in/'), mode: 'copy', deletionsEnabled: false, filters: {}, ...extra });

describe('which engine carries a plan', () => {
  it('into GCS: Storage Transfer Service from S3, Azure Blob and GCS', () => {
    for (const src of [S3_AWS, AZ, GCS]) {
      const r = route(src, GCS);
      expect(r.engine).toBe('gcp-sts');
      expect(r.reason).toMatch(/Google Storage Transfer Service reads/);
    }
  });

  it('into S3: DataSync Enhanced from S3, Azure Blob (SAS) and GCS (HMAC at its S3 endpoint)', () => {
    expect(route(S3_AWS, S3_AWS).engine).toBe('aws-datasync');
    expect(route(AZ, S3_AWS).reason).toMatch(/SAS token/);
    expect(route(GCS, S3_AWS).reason).toMatch(/HMAC/);
  });

  it('an S3-compatible store outside AWS is not reachable by AWS or Google services', () => {
    const r = route(S3_MINIO, S3_AWS);
    expect(r.engine).toBe('skyferry');
    expect(r.refused).toEqual([{ engine: 'aws-datasync', reason: expect.stringMatching(/not one of AWS's/) }]);
    expect(route(S3_MINIO, GCS).engine).toBe('skyferry');
    expect(reachOf(S3_MINIO)).toBe('s3-compatible');
  });

  it('into Azure: Storage Mover from S3, otherwise the cloud-side pull', () => {
    expect(route(S3_AWS, AZ).engine).toBe('azure-storage-mover');
    const pull = route(GCS, AZ);
    expect(pull.engine).toBe('azure-cloud-pull');
    expect(pull.refused[0]?.engine).toBe('azure-storage-mover');
    expect(route(S3_MINIO, AZ).engine).toBe('azure-cloud-pull');
  });

  it('a local source or destination, an emulator, or a destination outside the three clouds stays on Skyferry', () => {
    expect(route(LOCAL, GCS).reason).toMatch(/folder on this computer/);
    expect(route(GCS, LOCAL).engine).toBe('skyferry');
    expect(route(S3_AWS, GCS_EMU).engine).toBe('skyferry');
    expect(route(S3_AWS, AZURITE).engine).toBe('skyferry');
    expect(route(S3_AWS, S3_MINIO).reason).toMatch(/no managed transfer service writes there/);
  });

  it('names source and destination as bucket and prefix', () => {
    const r = route(S3_AWS, GCS);
    expect(r.sourcePath).toEqual({ bucket: 'bucket', prefix: 'data/' });
    expect(r.destinationPath).toEqual({ bucket: 'sink', prefix: 'in/' });
  });
});

describe('filters in the service’s terms', () => {
  const filters = { include: ['logs/**', '*.csv'], exclude: ['tmp/**', 'tmp/'], minSize: 10, minAgeDays: 7 };

  it('STS: prefixes and age map; a non-prefix glob and the size do not', () => {
    const r = route(S3_AWS, GCS, { filters });
    expect(r.filters).toEqual([
      { filter: 'include: logs/**', mapped: 'objectConditions.includePrefixes: ["data/logs/"]' },
      { filter: 'include: *.csv', unmapped: expect.stringMatching(/prefix only/) },
      { filter: 'exclude: tmp/**', mapped: 'objectConditions.excludePrefixes: ["data/tmp/"]' },
      // In the plan a literal is that one key only, not everything under it.
      { filter: 'exclude: tmp/', unmapped: expect.stringMatching(/prefix only/) },
      { filter: 'minAgeDays: 7', mapped: 'objectConditions.minTimeElapsedSinceLastModification: "604800s"' },
      { filter: 'minSize: 10', unmapped: expect.stringMatching(/no object size/) },
    ]);
  });

  it('DataSync: path patterns map; size and age do not', () => {
    const r = route(S3_AWS, S3_AWS, { filters });
    expect(r.filters.filter((f) => f.mapped).map((f) => f.mapped)).toEqual(['Includes: SIMPLE_PATTERN "/logs/*"', 'Excludes: SIMPLE_PATTERN "/tmp/*"']);
    expect(r.filters.filter((f) => f.unmapped).map((f) => f.filter)).toEqual(['include: *.csv', 'exclude: tmp/', 'minSize: 10', 'minAgeDays: 7']);
  });

  it('Storage Mover maps none; mirror deletions are named as left to Skyferry', () => {
    const r = route(S3_AWS, AZ, { filters: { exclude: ['x/**'] }, mode: 'mirror', deletionsEnabled: true });
    expect(r.filters.every((f) => f.unmapped)).toBe(true);
    expect(r.filters.map((f) => f.filter)).toEqual(['exclude: x/**', 'mirror deletions']);
  });

  it('STS: an include of everything at the bucket root needs no condition (the service refuses an empty prefix)', () => {
    const r = routeTransfer({ source: end(S3_AWS, 'bucket/'), destination: end(GCS, 'sink/'), mode: 'copy', deletionsEnabled: false, filters: { include: ['**'] } });
    expect(r.filters).toEqual([{ filter: 'include: **', mapped: 'every object: no condition needed' }]);
  });

  it('globAsKeyPrefix: only a glob that selects exactly the keys under a prefix, as the plan reads it', () => {
    expect(globAsKeyPrefix('a/b/**')).toBe('a/b/');
    expect(globAsKeyPrefix('/a/b-**')).toBe('a/b-');
    expect(globAsKeyPrefix('**')).toBe('');
    // A literal is one key; no `/` means a base name at any depth; `*` stays in one folder.
    for (const g of ['a/', 'a/x.txt', 'logs**', 'a/*', 'a/*.txt', '**/x', 'a/{b,c}/**']) expect(globAsKeyPrefix(g)).toBeNull();
  });
});
