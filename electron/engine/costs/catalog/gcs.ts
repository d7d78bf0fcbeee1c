import type { ProviderPricing, RegionPricing } from '../../../../shared/contract/costs.catalog';
import { sourced, storageClass, TB } from './figures';

/*
 * Google Cloud Storage list prices (regional buckets), as published; verify before relying. Recalled without
 * internet from the pages below and dated to when we believe they were last valid. Operations are Class A
 * (writes, lists) and Class B (reads, metadata gets) per 1,000; egress is the Premium network tier to worldwide
 * destinations other than China and Australia.
 */
const PAGE = 'https://cloud.google.com/storage/pricing';
const AS_OF = '2024-10-01';
const s = sourced(PAGE, AS_OF);

function classes(storage: { standard: number; nearline: number; coldline: number; archive: number }): RegionPricing['classes'] {
  return [
    storageClass(s, {
      id: 'STANDARD', name: 'Standard', aliases: ['REGIONAL', 'MULTI_REGIONAL', 'DURABLE_REDUCED_AVAILABILITY'],
      storage: storage.standard, write: 0.005, read: 0.0004,
    }),
    storageClass(s, { id: 'NEARLINE', name: 'Nearline', storage: storage.nearline, write: 0.01, read: 0.001, retrieval: 0.01, minDays: 30 }),
    storageClass(s, { id: 'COLDLINE', name: 'Coldline', storage: storage.coldline, write: 0.02, read: 0.01, retrieval: 0.02, minDays: 90 }),
    storageClass(s, { id: 'ARCHIVE', name: 'Archive', storage: storage.archive, write: 0.05, read: 0.05, retrieval: 0.05, minDays: 365 }),
  ];
}

const internet = s.tiers([[1 * TB, 0.12], [10 * TB, 0.11], [null, 0.08]]);
const notes = ['To another cloud is internet egress. Uploads (ingress) are free.'];

function egress(freeGb: number, interRegion: number, freeNote: string): RegionPricing['egress'] {
  return { internetFreeGbPerMonth: s.fig(freeGb, freeNote), internet, interRegionUsdPerGb: s.fig(interRegion, 'Same continent; across continents costs more.'), notes };
}

const northAmericaFree = 'Always Free: 100 GB a month from North America (us-east1, us-west1, us-central1 only).';

export const gcs: ProviderPricing = {
  id: 'gcs',
  name: 'Google Cloud Storage',
  kind: 'gcs',
  // A resumable upload starts with one POST (Class A); each chunk PUT is counted here as a Class A part too.
  multipart: { initiateRequests: 1, completeRequests: 0 },
  notes: [
    'As published; verify before relying. Prices read from ' + PAGE + ' as of ' + AS_OF + '.',
    'Multi-region and dual-region buckets cost more (Standard about $0.026/GB-month in US, Class A $0.01 per 1,000).',
    'Rewrite (server-side copy) is a Class A operation; inside one location it moves no billed bytes.',
  ],
  regions: [
    { id: 'us-central1', name: 'Iowa', defaultClass: 'STANDARD', classes: classes({ standard: 0.02, nearline: 0.01, coldline: 0.004, archive: 0.0012 }), egress: egress(100, 0.01, northAmericaFree) },
    { id: 'us-east1', name: 'South Carolina', defaultClass: 'STANDARD', classes: classes({ standard: 0.02, nearline: 0.01, coldline: 0.004, archive: 0.0012 }), egress: egress(100, 0.01, northAmericaFree) },
    { id: 'europe-west1', name: 'Belgium', defaultClass: 'STANDARD', classes: classes({ standard: 0.02, nearline: 0.01, coldline: 0.004, archive: 0.0012 }), egress: egress(0, 0.02, 'No free egress outside North America.') },
    { id: 'europe-west3', name: 'Frankfurt', defaultClass: 'STANDARD', classes: classes({ standard: 0.023, nearline: 0.013, coldline: 0.006, archive: 0.0025 }), egress: egress(0, 0.02, 'No free egress outside North America.') },
  ],
};
