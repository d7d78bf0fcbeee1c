import type { ProviderPricing, RegionPricing } from '../../../../shared/contract/costs.catalog';
import { sourced, storageClass, TB, type Sourced } from './figures';

/*
 * Amazon S3 list prices, as published; verify before relying. There is no internet on the machine this was
 * written on: the figures are the public list prices as recalled from the pages below, dated to when we believe
 * they were last valid (they had been stable since the 2021 free-tier change). Storage per GB-month, requests per
 * 1,000, egress per GB. Taxes, discounts and Savings Plans are not modelled.
 */
const PAGE = 'https://aws.amazon.com/s3/pricing/';
const AS_OF = '2024-10-01';
const s = sourced(PAGE, AS_OF);

interface RegionRates {
  standard: Array<[number | null, number]>;
  put: number;
  get: number;
  ia: number;
  oneZone: number;
  glacierIr: number;
  glacier: number;
  deepArchive: number;
}

function classes(r: RegionRates, f: Sourced = s): RegionPricing['classes'] {
  return [
    storageClass(f, { id: 'STANDARD', name: 'S3 Standard', storage: r.standard, write: r.put, read: r.get }),
    storageClass(f, {
      id: 'INTELLIGENT_TIERING', name: 'S3 Intelligent-Tiering (frequent access tier)', storage: r.standard, write: r.put, read: r.get,
      notes: ['Plus $0.0025 per 1,000 objects a month for monitoring (objects of 128 KiB and more); colder tiers apply automatically.'],
    }),
    storageClass(f, { id: 'STANDARD_IA', name: 'S3 Standard-IA', storage: r.ia, write: 0.01, read: 0.001, retrieval: 0.01, minDays: 30, minObjectBytes: 128 * 1024 }),
    storageClass(f, { id: 'ONEZONE_IA', name: 'S3 One Zone-IA', storage: r.oneZone, write: 0.01, read: 0.001, retrieval: 0.01, minDays: 30, minObjectBytes: 128 * 1024 }),
    storageClass(f, { id: 'GLACIER_IR', name: 'S3 Glacier Instant Retrieval', storage: r.glacierIr, write: 0.02, read: 0.01, retrieval: 0.03, minDays: 90, minObjectBytes: 128 * 1024 }),
    storageClass(f, {
      id: 'GLACIER', name: 'S3 Glacier Flexible Retrieval', storage: r.glacier, write: 0.03, read: r.get, retrieval: 0.01, minDays: 90,
      notes: [
        'Retrieval shown is the Standard tier (3-5 hours); Expedited is $0.03/GB, Bulk is free. Restore requests: $0.05 per 1,000 (Standard).',
        'Each object adds 40 KiB of billed overhead (32 KiB at this class, 8 KiB at Standard).',
        'Objects must be restored before they can be read or copied.',
      ],
    }),
    storageClass(f, {
      id: 'DEEP_ARCHIVE', name: 'S3 Glacier Deep Archive', storage: r.deepArchive, write: 0.05, read: r.get, retrieval: 0.02, minDays: 180,
      notes: [
        'Retrieval shown is the Standard tier (within 12 hours); Bulk is $0.0025/GB. Restore requests: $0.10 per 1,000 (Standard).',
        'Objects must be restored before they can be read or copied.',
      ],
    }),
  ];
}

const egress: RegionPricing['egress'] = {
  internetFreeGbPerMonth: s.fig(100, 'Aggregated over all AWS services and regions of the account.'),
  internet: s.tiers([[10 * TB, 0.09], [50 * TB, 0.085], [150 * TB, 0.07], [null, 0.05]]),
  interRegionUsdPerGb: s.fig(0.02),
  notes: [
    'To another cloud is internet egress. To CloudFront and inside one region (to EC2 and other services) is free.',
    'Uploads (ingress) are free.',
  ],
};

const usRates: RegionRates = {
  standard: [[50 * TB, 0.023], [500 * TB, 0.022], [null, 0.021]],
  put: 0.005, get: 0.0004, ia: 0.0125, oneZone: 0.01, glacierIr: 0.004, glacier: 0.0036, deepArchive: 0.00099,
};

export const awsS3: ProviderPricing = {
  id: 'aws-s3',
  name: 'Amazon S3',
  kind: 's3',
  multipart: { initiateRequests: 1, completeRequests: 1 },
  notes: [
    'As published; verify before relying. Prices read from ' + PAGE + ' as of ' + AS_OF + '.',
    'Multipart: CreateMultipartUpload, each UploadPart and CompleteMultipartUpload are PUT-class requests. DELETE is free.',
    'Server-side CopyObject / UploadPartCopy are PUT-class requests on the destination; no GET is billed on the source.',
  ],
  regions: [
    { id: 'us-east-1', name: 'US East (N. Virginia)', defaultClass: 'STANDARD', classes: classes(usRates), egress },
    { id: 'us-west-2', name: 'US West (Oregon)', defaultClass: 'STANDARD', classes: classes(usRates), egress },
    { id: 'eu-west-1', name: 'Europe (Ireland)', defaultClass: 'STANDARD', classes: classes(usRates), egress },
    {
      id: 'eu-central-1',
      name: 'Europe (Frankfurt)',
      defaultClass: 'STANDARD',
      classes: classes({
        standard: [[50 * TB, 0.0245], [500 * TB, 0.0235], [null, 0.0225]],
        put: 0.0054, get: 0.00043, ia: 0.0135, oneZone: 0.0108, glacierIr: 0.005, glacier: 0.0045, deepArchive: 0.0018,
      }),
      egress,
    },
  ],
};
