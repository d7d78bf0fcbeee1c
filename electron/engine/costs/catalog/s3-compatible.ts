import type { ProviderPricing, RegionPricing } from '../../../../shared/contract/costs.catalog';
import { sourced, storageClass } from './figures';

/*
 * S3-compatible stores and the local disk. As published; verify before relying: recalled without internet from
 * the pages below and dated to when we believe they were last valid.
 */
const R2_PAGE = 'https://developers.cloudflare.com/r2/pricing/';
const WASABI_PAGE = 'https://wasabi.com/pricing';
const AS_OF = '2024-10-01';
const r2 = sourced(R2_PAGE, AS_OF);
const wasabi = sourced(WASABI_PAGE, AS_OF);

const r2Classes: RegionPricing['classes'] = [
  storageClass(r2, {
    id: 'STANDARD', name: 'Standard', storage: [[10, 0], [null, 0.015]], write: 0.0045, read: 0.00036,
    notes: ['Free each month: 10 GB-month of storage (the first tier), 1 million Class A and 10 million Class B operations (not deducted here).'],
  }),
  storageClass(r2, { id: 'STANDARD_IA', name: 'Infrequent Access', storage: 0.01, write: 0.009, read: 0.0009, retrieval: 0.01, minDays: 30 }),
];

const r2Egress: RegionPricing['egress'] = {
  internetFreeGbPerMonth: r2.fig(0, 'Egress is free at every volume, so there is no separate free tier.'),
  internet: r2.tiers([[null, 0]]),
  notes: ['No egress fees, to the internet or to another cloud.'],
};

export const cloudflareR2: ProviderPricing = {
  id: 'cloudflare-r2',
  name: 'Cloudflare R2',
  kind: 's3',
  multipart: { initiateRequests: 1, completeRequests: 1 },
  notes: ['As published; verify before relying. Prices read from ' + R2_PAGE + ' as of ' + AS_OF + '.', 'Class A: writes and lists; Class B: reads and heads. DELETE is free.'],
  regions: [
    { id: 'auto', name: 'Automatic (global)', defaultClass: 'STANDARD', classes: r2Classes, egress: r2Egress },
    { id: 'eu', name: 'EU jurisdiction', defaultClass: 'STANDARD', classes: r2Classes, egress: r2Egress },
  ],
};

const wasabiClasses: RegionPricing['classes'] = [
  storageClass(wasabi, {
    id: 'STANDARD', name: 'Hot Cloud Storage (pay as you go)', storage: 0.0068, write: 0, read: 0, minDays: 90,
    notes: [
      '$6.99 per TB-month. No request or egress fees under the fair-use policy (monthly egress up to the stored volume).',
      'A minimum of 1 TB-month is billed per account; deleted data is billed for 90 days from upload.',
    ],
  }),
];

const wasabiEgress: RegionPricing['egress'] = {
  internetFreeGbPerMonth: wasabi.fig(0, 'Egress is free (fair use), so there is no separate free tier.'),
  internet: wasabi.tiers([[null, 0]]),
  notes: ['Free under the fair-use policy: egress beyond the stored volume a month may be refused or billed.'],
};

export const wasabiHot: ProviderPricing = {
  id: 'wasabi',
  name: 'Wasabi',
  kind: 's3',
  multipart: { initiateRequests: 1, completeRequests: 1 },
  notes: ['As published; verify before relying. Prices read from ' + WASABI_PAGE + ' as of ' + AS_OF + '.'],
  regions: [
    { id: 'us-east-1', name: 'US East 1 (N. Virginia)', defaultClass: 'STANDARD', classes: wasabiClasses, egress: wasabiEgress },
    { id: 'us-west-1', name: 'US West 1 (Oregon)', defaultClass: 'STANDARD', classes: wasabiClasses, egress: wasabiEgress },
    { id: 'eu-central-1', name: 'EU Central 1 (Amsterdam)', defaultClass: 'STANDARD', classes: wasabiClasses, egress: wasabiEgress },
  ],
};

const local = sourced('Skyferry: a disk you already own costs nothing per GB here', AS_OF);

export const localDisk: ProviderPricing = {
  id: 'local',
  name: 'Local folder',
  kind: 'local',
  multipart: { initiateRequests: 0, completeRequests: 0 },
  notes: ['Reading and writing a local disk has no per-request or per-GB price.'],
  regions: [
    {
      id: 'local',
      name: 'This computer',
      defaultClass: 'local',
      classes: [storageClass(local, { id: 'local', name: 'Local disk', storage: 0, write: 0, read: 0 })],
      egress: { internetFreeGbPerMonth: local.fig(0), internet: local.tiers([[null, 0]]) },
    },
  ],
};
