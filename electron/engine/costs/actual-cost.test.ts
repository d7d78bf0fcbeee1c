import { describe, expect, it } from 'vitest';
import { BYTES_PER_GB } from '../../../shared/contract/costs.catalog';
import { emptyRequestCounts, type RequestCounts } from '../../../shared/contract/costs.history';
import { actualRequestCost, actualTransferCost } from './actual-cost';
import { SHIPPED_CATALOG } from './catalog';

const GB = BYTES_PER_GB;
const counts = (c: Partial<RequestCounts>): RequestCounts => ({ ...emptyRequestCounts(), ...c });
const s3 = { provider: 'aws-s3', region: 'us-east-1' };
const azure = { provider: 'azure-blob', region: 'eastus' };

describe('actual cost of a finished transfer (shipped catalog)', () => {
  it('S3 us-east-1 to Azure eastus by relay: egress past the free 100 GB, then the counted requests at each side', () => {
    // 150 GB relayed: 100 GB free, 50 GB x $0.09 = $4.50.
    // Source (S3 Standard): 3 LIST x $0.005/1000 = $0.000015; 2,000 GET x $0.0004/1000 = $0.0008.
    // Destination (Azure Hot): 10 HEAD x $0.0004/1000 = $0.000004; writes = 1,990 PUT + 10 multipart uploads x
    // (0 initiate + 1 Put Block List) + 120 blocks = 2,120 x $0.005/1000 = $0.0106.
    // Total = 4.5 + 0.000015 + 0.0008 + 0.000004 + 0.0106 = $4.511419
    const cost = actualTransferCost(SHIPPED_CATALOG, {
      source: s3,
      destination: azure,
      bytesByPath: { relay: 150 * GB },
      sourceRequests: counts({ list: 3, get: 2000 }),
      destinationRequests: counts({ head: 10, put: 1990, multipart: 10, parts: 120 }),
    });
    expect(cost.totalUsd).toBeCloseTo(4.511419, 9);
    const byLabel = Object.fromEntries(cost.lines.map((l) => [l.label.replace(/: .*$/, ''), l.totalUsd]));
    expect(byLabel['LIST at Amazon S3']).toBeCloseTo(0.000015, 12);
    expect(byLabel['GET at Amazon S3']).toBeCloseTo(0.0008, 12);
    expect(cost.lines.find((l) => l.label.startsWith('PUT, multipart and COPY at Azure'))?.quantity).toBeCloseTo(2.12, 12);
  });

  it('S3 multipart on the AWS side counts an initiate and a complete per upload', () => {
    // 4 uploads x (1 + 1) + 40 parts + 6 PUT = 54 writes x $0.005/1000 = $0.00027; server-side inside one region: no egress.
    const cost = actualTransferCost(SHIPPED_CATALOG, {
      source: s3,
      destination: s3,
      bytesByPath: { 'server-side': 10 * GB },
      sourceRequests: counts({ multipart: 4, parts: 40, put: 6 }),
      destinationRequests: emptyRequestCounts(),
    });
    expect(cost.totalUsd).toBeCloseTo(0.00027, 12);
    expect(cost.lines.some((l) => l.kind === 'egress')).toBe(false);
    expect(cost.notes.join(' ')).toMatch(/no data transfer charge/);
  });

  it('server-side across S3 regions pays the inter-region rate, and deletes cost nothing', () => {
    // 2 GB x $0.02 = $0.04; 5 COPY x $0.005/1000 = $0.000025 (us-east-1 prices); 5 deletes free.
    const cost = actualTransferCost(SHIPPED_CATALOG, {
      source: s3,
      destination: { provider: 'aws-s3', region: 'us-west-2' },
      bytesByPath: { 'server-side': 2 * GB },
      sourceRequests: counts({ copy: 5, delete: 5 }),
      destinationRequests: emptyRequestCounts(),
    });
    expect(cost.totalUsd).toBeCloseTo(0.04 + 0.000025, 12);
    expect(cost.notes).toContain('Deletes are not billed.');
  });

  it('nothing moved and nothing requested costs nothing', () => {
    const cost = actualTransferCost(SHIPPED_CATALOG, { source: s3, destination: azure, bytesByPath: {}, sourceRequests: emptyRequestCounts(), destinationRequests: emptyRequestCounts() });
    expect(cost.totalUsd).toBe(0);
    expect(cost.lines).toEqual([]);
  });
});

describe('actual cost of a delete job (shipped catalog)', () => {
  it('GCS us-central1: its listing and HEADs are billed, its 5,000 deletes are not', () => {
    const gcs = { provider: 'gcs', region: 'us-central1' };
    // GCS Standard: 5 LIST (Class A) x $0.005/1000 = $0.000025; 2 HEAD (Class B) x $0.0004/1000 = $0.0000008.
    const cost = actualRequestCost(SHIPPED_CATALOG, gcs, counts({ list: 5, head: 2, delete: 5000 }));
    expect(cost.lines.map((l) => l.label.replace(/: .*$/, ''))).toEqual(['LIST at Google Cloud Storage', 'HEAD at Google Cloud Storage']);
    expect(cost.totalUsd).toBeCloseTo(0.0000258, 12);
    expect(cost.notes.join(' ')).toContain('Deletes are not billed');
  });

  it('nothing but deletes costs nothing', () => {
    expect(actualRequestCost(SHIPPED_CATALOG, azure, counts({ delete: 40 })).totalUsd).toBe(0);
  });
});
