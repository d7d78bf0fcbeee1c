import { describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/accounts';
import type { MigrationFilters } from '../../../shared/contract/migrations.channels';
import { parseLocation } from '../../../shared/location';
import { globFilter } from '../migrations/glob';
import { stsJobSpec, stsPrefixConditions } from './gcp-sts';
import { routeTransfer } from './routing';

/**
 * Storage Transfer Service's prefix conditions against the plan's own filters. The service reads includePrefixes and
 * excludePrefixes as object names from the bucket's root (not from the job's `path`), with rules of its own (no empty
 * prefix, none inside another of its list, every exclude inside an include when there are includes); the plan reads
 * its globs relative to its source folder. For every case the objects the job would select are the plan's.
 */
const S3: AccountSettings = { kind: 's3', name: 'aws', region: 'us-east-1', forcePathStyle: false, checksumMode: 'when_supported' };
const GCS: AccountSettings = { kind: 'gcs', name: 'gcp', projectId: 'p' } as AccountSettings;

const spec = (source: string, filters: MigrationFilters) =>
  stsJobSpec(
    routeTransfer({ source: { settings: S3, location: parseLocation(source) }, destination: { settings: GCS, location: parseLocation('gs://gcp/sink/backup/') }, mode: 'copy', deletionsEnabled: false, filters }),
    'p',
    { kind: 'aws-s3', accessKeyId: 'AKID', secretAccessKey: 'secret' },
    'test',
  );

/** What the service copies, as its reference describes the conditions: under `path`, in an include, in no exclude. */
function serviceSelects(job: ReturnType<typeof spec>, key: string): boolean {
  const path = job.transferSpec?.awsS3DataSource?.path ?? '';
  const inc = job.transferSpec?.objectConditions?.includePrefixes ?? [];
  const exc = job.transferSpec?.objectConditions?.excludePrefixes ?? [];
  return key.startsWith(path) && (inc.length === 0 || inc.some((p) => key.startsWith(p))) && !exc.some((p) => key.startsWith(p));
}

/** The service's own rules for the lists (a job breaking one is refused at creation). */
function checkServiceRules(job: ReturnType<typeof spec>): void {
  const inc = job.transferSpec?.objectConditions?.includePrefixes ?? [];
  const exc = job.transferSpec?.objectConditions?.excludePrefixes ?? [];
  for (const list of [inc, exc]) {
    for (const p of list) {
      expect(p).not.toBe('');
      expect(p.startsWith('/')).toBe(false);
      expect(list.filter((q) => q !== p && p.startsWith(q))).toEqual([]);
    }
  }
  if (inc.length > 0) for (const e of exc) expect(inc.some((i) => e.startsWith(i))).toBe(true);
}

const KEYS = [
  'photos/2024/raw/a.cr2',
  'photos/2024/raw/cr2/b.cr2',
  'photos/2024/raw/tmp/c.part',
  'photos/2024/jpg/d.jpg',
  'photos/2024/jpgs/e.jpg',
  'photos/2024/other/f.txt',
  'photos/2024/top.txt',
  'photos/2023/raw/g.cr2',
  'photos/2024-extra/raw/h.cr2',
  'raw/i.cr2',
  'photos/2024/logs-2024-01.txt',
  'photos/2024/logs-2023-12.txt',
];

describe('Storage Transfer Service prefixes for a plan with a source folder', () => {
  it('maps the folder to the job path and the filters to prefixes from the bucket root', () => {
    const job = spec('s3://aws/bucket/photos/2024/', { include: ['raw/**', 'raw/cr2/**', 'jpg/**'], exclude: ['raw/tmp/**', 'other/**'] });
    expect(job.transferSpec?.awsS3DataSource).toMatchObject({ bucketName: 'bucket', path: 'photos/2024/' });
    expect(job.transferSpec?.gcsDataSink).toEqual({ bucketName: 'sink', path: 'backup/' });
    // raw/cr2/ lies inside raw/; other/ lies outside every include, so excludes nothing more.
    expect(job.transferSpec?.objectConditions).toEqual({ includePrefixes: ['photos/2024/jpg/', 'photos/2024/raw/'], excludePrefixes: ['photos/2024/raw/tmp/'] });
  });

  const cases: Array<[string, MigrationFilters]> = [
    ['s3://aws/bucket/photos/2024/', { include: ['raw/**', 'raw/cr2/**', 'jpg/**'], exclude: ['raw/tmp/**', 'other/**'] }],
    ['s3://aws/bucket/photos/2024/', { exclude: ['raw/**'] }],
    ['s3://aws/bucket/photos/2024/', { include: ['/logs-2024-**'] }],
    ['s3://aws/bucket/photos/2024/', { include: ['**'], exclude: ['jpg/**'] }],
    ['s3://aws/bucket/photos/', { include: ['2024/**'], exclude: ['2024/raw/tmp/**', '2024/raw/**'] }],
    ['s3://aws/bucket/', { include: ['photos/2024/raw/**'] }],
    ['s3://aws/bucket/', { include: ['**'] }],
  ];
  it.each(cases)('selects what the plan selects: %s %j', (source, filters) => {
    const job = spec(source, filters);
    checkServiceRules(job);
    const folder = parseLocation(source).key;
    const plan = globFilter(filters.include, filters.exclude);
    for (const key of KEYS) expect(serviceSelects(job, key), key).toBe(key.startsWith(folder) && plan(key.slice(folder.length)));
  });

  it('leaves to the plan, in words, the globs that are not a folder prefix; a literal folder is one key in the plan', () => {
    const job = spec('s3://aws/bucket/photos/', { include: ['*.jpg', '2024/'], exclude: ['**/tmp/**'] });
    expect(job.transferSpec?.objectConditions).toBeUndefined();
    const route = routeTransfer({ source: { settings: S3, location: parseLocation('s3://aws/bucket/photos/') }, destination: { settings: GCS, location: parseLocation('gs://gcp/sink/') }, mode: 'copy', deletionsEnabled: false, filters: { include: ['*.jpg', '2024/'], exclude: ['**/tmp/**'] } });
    expect(route.filters.every((f) => f.unmapped?.startsWith('Storage Transfer Service filters by key prefix only'))).toBe(true);
  });

  it('refuses filters that exclude all they include, rather than send a job that copies everything', () => {
    expect(() => stsPrefixConditions(['p/raw/cr2/'], ['p/raw/'])).toThrow(/nothing for the service to copy/);
    expect(stsPrefixConditions(['p/a/', 'p/a/'], [])).toEqual({ includePrefixes: ['p/a/'] });
    expect(stsPrefixConditions([], ['p/x/', 'p/x/y/'])).toEqual({ excludePrefixes: ['p/x/'] });
  });
});
