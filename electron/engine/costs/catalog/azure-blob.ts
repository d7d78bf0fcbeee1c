import type { ProviderPricing, RegionPricing } from '../../../../shared/contract/costs.catalog';
import { sourced, storageClass, TB } from './figures';

/*
 * Azure Blob Storage list prices (block blobs, general purpose v2, LRS, flat namespace), as published; verify
 * before relying. Recalled without internet from the pages below and dated to when we believe they were last
 * valid. Azure quotes operations per 10,000: they are stored here per 1,000 (divided by 10). West Europe figures
 * are the least certain of this file.
 */
const PAGE = 'https://azure.microsoft.com/en-us/pricing/details/storage/blobs/';
const EGRESS_PAGE = 'https://azure.microsoft.com/en-us/pricing/details/bandwidth/';
const AS_OF = '2024-10-01';
const s = sourced(PAGE, AS_OF);
const e = sourced(EGRESS_PAGE, AS_OF);

interface TierRates {
  hot: Array<[number | null, number]>;
  cool: number;
  cold: number;
  archive: number;
}

function classes(r: TierRates): RegionPricing['classes'] {
  return [
    storageClass(s, { id: 'Hot', name: 'Hot', storage: r.hot, write: 0.005, read: 0.0004, list: 0.005 }),
    storageClass(s, { id: 'Cool', name: 'Cool', storage: r.cool, write: 0.01, read: 0.001, list: 0.005, retrieval: 0.01, minDays: 30 }),
    storageClass(s, { id: 'Cold', name: 'Cold', storage: r.cold, write: 0.018, read: 0.01, list: 0.005, retrieval: 0.03, minDays: 90 }),
    storageClass(s, {
      id: 'Archive', name: 'Archive', storage: r.archive, write: 0.01, read: 0.5, list: 0.005, retrieval: 0.02, minDays: 180,
      notes: ['Blobs must be rehydrated (hours) before they can be read or copied; figures are Standard priority.'],
    }),
  ];
}

const egress: RegionPricing['egress'] = {
  internetFreeGbPerMonth: e.fig(100),
  // Zone 1 (North America, Europe), Microsoft premium global network routing.
  internet: e.tiers([[10 * TB, 0.087], [50 * TB, 0.083], [150 * TB, 0.07], [500 * TB, 0.05], [null, 0.05]]),
  interRegionUsdPerGb: e.fig(0.02, 'Between regions of one continent (North America or Europe).'),
  notes: ['To another cloud is internet egress. Uploads (ingress) are free.'],
};

const usRates: TierRates = { hot: [[50 * TB, 0.018], [500 * TB, 0.0173], [null, 0.0166]], cool: 0.01, cold: 0.0036, archive: 0.00099 };

export const azureBlob: ProviderPricing = {
  id: 'azure-blob',
  name: 'Azure Blob Storage',
  kind: 'azure',
  // Block blobs: Put Block per part, then one Put Block List; no initiate request.
  multipart: { initiateRequests: 0, completeRequests: 1 },
  notes: [
    'As published; verify before relying. Prices read from ' + PAGE + ' and ' + EGRESS_PAGE + ' as of ' + AS_OF + '.',
    'Put Block From URL (cloud-side pull) is a write operation at the destination; the source pays its own egress.',
    'GRS / RA-GRS / ZRS redundancy costs more than the LRS figures here.',
  ],
  regions: [
    { id: 'eastus', name: 'East US', defaultClass: 'Hot', classes: classes(usRates), egress },
    { id: 'westus2', name: 'West US 2', defaultClass: 'Hot', classes: classes(usRates), egress },
    {
      id: 'westeurope',
      name: 'West Europe',
      defaultClass: 'Hot',
      classes: classes({ hot: [[50 * TB, 0.0196], [500 * TB, 0.0189], [null, 0.018]], cool: 0.0109, cold: 0.0039, archive: 0.002 }),
      egress,
    },
  ],
};
