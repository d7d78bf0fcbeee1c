import { describe, expect, it } from 'vitest';
import { BYTES_PER_GB } from '../../../shared/contract/costs.catalog';
import { SHIPPED_CATALOG } from './catalog';
import { earlyDeletion, egressInternet, estimateTransfer, retrieval, storageMonthly, writeRequestsFor } from './estimator';
import { findClass, findProvider, findRegion } from './lookup';
import { DEFAULT_ADMISSION, rangedReadPlan } from '../jobs/admission';

const GB = BYTES_PER_GB; // 2^30 bytes = 1,073,741,824
const TB = 1024 * GB;
const MiB = 2 ** 20;
const s3East = findRegion(SHIPPED_CATALOG, 'aws-s3', 'us-east-1');
const aws = findProvider(SHIPPED_CATALOG, 'aws-s3');
const azure = findProvider(SHIPPED_CATALOG, 'azure-blob');
const total = (lines: Array<{ totalUsd: number }>): number => lines.reduce((t, l) => t + l.totalUsd, 0);

describe('storage per month', () => {
  it('bills 1 TiB of S3 Standard in the first tier: 1,024 GB x $0.023 = $23.552', () => {
    const lines = storageMonthly(TB, findClass(s3East, 'STANDARD'));
    expect(lines).toHaveLength(1);
    expect(total(lines)).toBeCloseTo(1024 * 0.023, 10);
    expect(lines[0]?.source).toBe('https://aws.amazon.com/s3/pricing/');
  });

  it('splits 60 TB of S3 Standard across tiers: 51,200 x 0.023 + 10,240 x 0.022 = $1,402.88', () => {
    // first 50 TB = 51,200 GB at $0.023 = $1,177.60; the next 10 TB = 10,240 GB at $0.022 = $225.28
    expect(total(storageMonthly(60 * TB, findClass(s3East, 'STANDARD')))).toBeCloseTo(1177.6 + 225.28, 8);
  });

  it('bills small Standard-IA objects as 128 KiB each', () => {
    // 1,000 objects of 1 KiB plus 1 GB of larger ones: billable = 1 GB + 1,000 x 128 KiB = 1 GB + 125 MiB
    // = (1 + 125/1024) GB x $0.0125 = 1.1220703125 x 0.0125 = $0.01402587890625
    const small = { count: 1000, bytes: 1000 * 1024 };
    const lines = storageMonthly(GB + small.bytes, findClass(s3East, 'STANDARD_IA'), small);
    expect(total(lines)).toBeCloseTo(1.1220703125 * 0.0125, 12);
  });

  it('matches storage classes by alias and case', () => {
    expect(findClass(findRegion(SHIPPED_CATALOG, 'gcs', 'us-central1'), 'multi_regional').id).toBe('STANDARD');
    expect(findClass(findRegion(SHIPPED_CATALOG, 'azure-blob', 'eastus'), 'cool').id).toBe('Cool');
    expect(findClass(s3East, undefined).id).toBe('STANDARD');
  });
});

describe('internet egress with free tier and volume tiers (S3: 100 GB free, then $0.09 to 10 TB, $0.085 to 50 TB)', () => {
  const egress = s3East.egress;

  it('costs nothing at exactly the free tier: 100 GB', () => {
    const lines = egressInternet(100 * GB, egress);
    expect(total(lines)).toBe(0);
    expect(lines.map((l) => l.quantity)).toEqual([100]);
  });

  it('bills one byte over the free tier at $0.09/GB: 0.09 / 2^30 = $8.38e-11', () => {
    const lines = egressInternet(100 * GB + 1, egress);
    expect(total(lines)).toBeCloseTo(0.09 / GB, 20);
    expect(lines[1]?.quantity).toBeCloseTo(1 / GB, 20);
  });

  it('bills 100 GB free + 10 TB at $0.09 + 1 TB at $0.085 = 921.60 + 87.04 = $1,008.64', () => {
    // billable after the free 100 GB: 11 TB = 11,264 GB; first tier holds 10,240 GB, the rest (1,024) is tier 2
    const lines = egressInternet(100 * GB + 11 * TB, egress);
    expect(total(lines)).toBeCloseTo(10240 * 0.09 + 1024 * 0.085, 8);
    expect(lines.map((l) => [l.quantity, l.unitPriceUsd])).toEqual([[100, 0], [10240, 0.09], [1024, 0.085]]);
  });

  it('counts egress already used this month: free tier gone and 10,200 GB billed already', () => {
    // already 10,300 GB this month: 100 free + 10,200 billed at tier 1; 100 GB more = 40 GB x 0.09 + 60 GB x 0.085
    const lines = egressInternet(100 * GB, egress, 10300 * GB);
    expect(total(lines)).toBeCloseTo(40 * 0.09 + 60 * 0.085, 10);
  });

  it('reproduces the 60 TB S3-to-Azure story: about $5,000 of S3 egress at list price', () => {
    // 100 GB free; 10,240 GB x 0.09 = 921.60; 40,960 GB x 0.085 = 3,481.60; the last 60 TB - 100 GB - 50 TB
    // = 61,440 - 100 - 51,200 = 10,140 GB x 0.07 = 709.80; total $5,113.00
    expect(total(egressInternet(60 * TB, egress))).toBeCloseTo(921.6 + 3481.6 + 709.8, 6);
  });
});

describe('request counts', () => {
  const part = 8 * MiB;
  const threshold = 16 * MiB;

  it('puts an object below the threshold in one request, and a zero-byte one too', () => {
    expect(writeRequestsFor(threshold - 1, aws, part, threshold).requests).toBe(1);
    expect(writeRequestsFor(0, aws, part, threshold).requests).toBe(1);
  });

  it('counts S3 multipart as initiate + parts + complete: 100 MiB in 8 MiB parts = 1 + 13 + 1 = 15', () => {
    // ceil(100 / 8) = 13 parts (12 full parts and one of 4 MiB)
    expect(writeRequestsFor(100 * MiB, aws, part, threshold)).toEqual({ requests: 15, parts: 13 });
    // exactly the threshold goes multipart: 16 MiB / 8 MiB = 2 parts + 2 = 4
    expect(writeRequestsFor(threshold, aws, part, threshold)).toEqual({ requests: 4, parts: 2 });
  });

  it('counts Azure blocks + one Put Block List: 100 MiB = 13 + 1 = 14', () => {
    expect(writeRequestsFor(100 * MiB, azure, part, threshold)).toEqual({ requests: 14, parts: 13 });
  });

  it('grows the part size past 10,000 parts: 1 TiB in 8 MiB parts would be 131,072, so 10,000 parts', () => {
    expect(writeRequestsFor(TB, aws, part, threshold).parts).toBe(10_000);
  });
});

describe('cold classes', () => {
  it('bills retrieval from Glacier Instant Retrieval: 50 GB x $0.03 = $1.50', () => {
    expect(retrieval(50 * GB, findClass(s3East, 'GLACIER_IR'))?.totalUsd).toBeCloseTo(1.5, 12);
    expect(retrieval(50 * GB, findClass(s3East, 'STANDARD'))).toBeNull();
  });

  it('bills early deletion from GCS Coldline: 10 GB, 30 of 90 days: 10 x 60/30 x $0.004 = $0.08', () => {
    const coldline = findClass(findRegion(SHIPPED_CATALOG, 'gcs', 'us-central1'), 'COLDLINE');
    expect(earlyDeletion(10 * GB, 30, coldline)?.totalUsd).toBeCloseTo(0.08, 12);
    expect(earlyDeletion(10 * GB, 90, coldline)).toBeNull();
  });
});

describe('estimateTransfer', () => {
  it('relays 1,000 files of 1 MiB (1,000 MiB) from S3 Standard to Azure Hot: egress free, requests only', () => {
    // egress: 1,000 MiB = 0.9765625 GB, inside the 100 GB free tier: $0
    // source: 1 LIST x $0.005/1,000 + 1,000 GET x $0.0004/1,000 = 0.000005 + 0.0004
    // destination: 1 LIST x $0.005/1,000 (the overwrite check lists the prefix once) + 1,000 PUT x $0.005/1,000
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'aws-s3', region: 'us-east-1', class: 'STANDARD' },
      destination: { provider: 'azure-blob', region: 'eastus', class: 'Hot' },
      files: 1000, bytes: 1000 * MiB, path: 'relay',
    });
    expect(est.totalUsd).toBeCloseTo(0.000005 + 0.0004 + 0.000005 + 0.005, 12);
    expect(est.lines.find((l) => l.kind === 'egress')?.totalUsd).toBe(0);
  });

  it('relays 1 TiB in 4 files of 256 GiB from S3 eu-west-1 to GCS: egress past the free tier + multipart parts', () => {
    // egress: 1,024 GB - 100 free = 924 GB x $0.09 = $83.16
    // parts: 256 GiB / 5 MiB = 52,429 parts > 10,000, so part = ceil(256 GiB / 10,000) and 10,000 parts;
    // GCS writes per file = 1 initiate + 10,000 parts = 10,001; x 4 files = 40,004 x $0.005/1,000 = $0.20002
    // source: 1 LIST ($0.000005) + the parallel ranged read: 256 GiB / 5 MiB = 52,429 ranged GETs per file,
    // 209,716 x $0.0004/1,000 ($0.0838864); destination: 1 LIST x $0.005/1,000 ($0.000005)
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'aws-s3', region: 'eu-west-1' },
      destination: { provider: 'gcs', region: 'europe-west1' },
      files: 4, bytes: TB, sizes: [256 * GB, 256 * GB, 256 * GB, 256 * GB], path: 'relay',
    });
    expect(est.totalUsd).toBeCloseTo(83.16 + 0.20002 + 0.000005 + 0.0838864 + 0.000005, 9);
  });

  it('counts one GET per range for a large object the relay reads in parallel ranges, as the job decides it', () => {
    // 10 files of 1 MiB: one GET each. 2 files of 64 MiB: 64 MiB / 5 MiB parts = 13 ranges each (rangedReadPlan,
    // the same decision admission makes); 1 file of 16 MiB (the multipart threshold): 4 ranges (5, 5, 5, 1 MiB).
    const sizes = [...Array.from({ length: 10 }, () => MiB), 64 * MiB, 64 * MiB, 16 * MiB];
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'aws-s3', region: 'us-east-1' }, destination: { provider: 'azure-blob', region: 'eastus', class: 'Hot' },
      files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0), sizes, path: 'relay',
    });
    const gets = est.lines.filter((l) => l.kind === 'source-requests' && l.label.includes('GET'));
    expect(gets.map((l) => l.quantity * 1000)).toEqual([10, 30]);
    expect(gets[1]?.label).toMatch(/^Ranged GET from Amazon S3, one per part/);
    expect(rangedReadPlan(64 * MiB, DEFAULT_ADMISSION, true)?.parts).toBe(13);
    // A local source is read as one stream whatever its size.
    const local = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'local', region: 'local' }, destination: { provider: 'azure-blob', region: 'eastus', class: 'Hot' },
      files: 1, bytes: 64 * MiB, sizes: [64 * MiB], path: 'relay',
    });
    expect(local.lines.some((l) => l.label.startsWith('Ranged GET'))).toBe(false);
  });

  it('relays one object of 1 TiB from GCS to S3: one GET per 5 MiB range, 10,000 parts written', () => {
    // The read is cut by the relay's read part size, not the upload's: 1 TiB / 5 MiB = 209,715.2, so 209,716
    // ranged GETs (rangedReadPlan); the upload's part grows to ceil(1 TiB / 10,000) for 10,000 parts, and S3
    // writes 1 initiate + 10,000 parts + 1 complete = 10,002.
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'gcs', region: 'us-central1' }, destination: { provider: 'aws-s3', region: 'us-east-1' },
      files: 1, bytes: TB, sizes: [TB], path: 'relay',
    });
    const gets = est.lines.filter((l) => l.kind === 'source-requests' && l.label.includes('GET'));
    expect(gets).toHaveLength(1);
    expect(gets[0]?.label).toMatch(/^Ranged GET from .*: 209,716 requests$/);
    expect(Math.round((gets[0]?.quantity ?? 0) * 1000)).toBe(209_716);
    expect(rangedReadPlan(TB, DEFAULT_ADMISSION, true)?.parts).toBe(209_716);
    const writes = est.lines.find((l) => l.kind === 'destination-requests' && l.label.startsWith('Write'));
    expect(Math.round((writes?.quantity ?? 0) * 1000)).toBe(10_002);
  });

  it('charges no egress for a server-side copy inside one region, and inter-region rate across regions', () => {
    const base = { files: 10, bytes: 10 * GB, path: 'server-side' as const, source: { provider: 'aws-s3', region: 'us-east-1' } };
    const same = estimateTransfer(SHIPPED_CATALOG, { ...base, destination: { provider: 'aws-s3', region: 'us-east-1' } });
    expect(same.lines.some((l) => l.kind === 'egress')).toBe(false);
    // 1 LIST of each side + 10 COPY (PUT class), all at $0.005/1,000
    expect(same.totalUsd).toBeCloseTo(0.000005 + 0.00005 + 0.000005, 12);
    const cross = estimateTransfer(SHIPPED_CATALOG, { ...base, destination: { provider: 'aws-s3', region: 'eu-west-1' } });
    // plus 10 GB x $0.02 inter-region = $0.20
    expect(cross.totalUsd - same.totalUsd).toBeCloseTo(0.2, 12);
  });

  it('refuses a server-side copy between two providers', () => {
    expect(() =>
      estimateTransfer(SHIPPED_CATALOG, {
        source: { provider: 'aws-s3', region: 'us-east-1' }, destination: { provider: 'gcs', region: 'us-east1' },
        files: 1, bytes: 1, path: 'server-side',
      }),
    ).toThrow(/server-side copy stays inside one provider/);
  });

  it('adds retrieval and early deletion when moving young objects out of a cold class', () => {
    // GCS Nearline, 20 GB moved at 10 days old to local: retrieval 20 x $0.01 = $0.20;
    // early deletion: 20 GB x (30 - 10)/30 months x $0.01 = $0.133333...; egress 20 GB inside the 100 GB free tier
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'gcs', region: 'us-central1', class: 'NEARLINE' }, destination: { provider: 'local', region: 'local' },
      files: 2, bytes: 20 * GB, path: 'relay', move: { sourceAgeDays: 10 },
    });
    expect(est.lines.find((l) => l.kind === 'retrieval')?.totalUsd).toBeCloseTo(0.2, 12);
    expect(est.lines.find((l) => l.kind === 'early-deletion')?.totalUsd).toBeCloseTo((20 * 20 / 30) * 0.01, 12);
  });

  it('uploads from a local folder to R2 for the price of the writes: 1 LIST + 100 PUT x $0.0045/1,000', () => {
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'local', region: 'local' }, destination: { provider: 'cloudflare-r2', region: 'auto' },
      files: 100, bytes: 100 * MiB, path: 'relay', headsPerFile: 0,
    });
    expect(est.totalUsd).toBeCloseTo(101 * 0.0045 / 1000, 12);
  });

  it('prices a cloud-side pull into Azure: one Put Blob From URL up to 32 MiB, 16 MiB ranges above, a ranged GET each', () => {
    // 10 MiB: one Put Blob From URL (1 write) reading the source once (1 GET).
    // 1 GiB: 64 ranges of 16 MiB + 1 Put Block List = 65 writes, 64 ranged GETs.
    // S3 Standard: LIST $0.005, GET $0.0004 per 1,000; Azure Hot: LIST $0.005, writes $0.005 per 1,000.
    // Egress: inside the 100 GB free tier.
    const est = estimateTransfer(SHIPPED_CATALOG, {
      source: { provider: 'aws-s3', region: 'us-east-1' }, destination: { provider: 'azure-blob', region: 'eastus', class: 'Hot' },
      files: 2, bytes: GB + 10 * MiB, sizes: [10 * MiB, GB], path: 'cloud-pull',
    });
    expect(est.totalUsd).toBeCloseTo((0.005 + 65 * 0.0004 + 0.005 + 66 * 0.005) / 1000, 12);
    expect(est.notes.join(' ')).toContain('Files over 32 MiB are counted as pulled in 16 MiB ranges');
  });

  it('prices a HEAD per file only for a tool that asks per file (headsPerFile)', () => {
    const base = { source: { provider: 'aws-s3', region: 'us-east-1' }, destination: { provider: 'azure-blob', region: 'eastus', class: 'Hot' }, files: 1000, bytes: 1000 * MiB, path: 'relay' as const };
    const listed = estimateTransfer(SHIPPED_CATALOG, base);
    const headed = estimateTransfer(SHIPPED_CATALOG, { ...base, headsPerFile: 1 });
    // 1,000 HEAD x $0.0004/1,000 at Azure Hot, on top of the same listing
    expect(headed.totalUsd - listed.totalUsd).toBeCloseTo(0.0004, 12);
  });
});
