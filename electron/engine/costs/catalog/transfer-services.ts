/**
 * The managed transfer services' own fees (on top of the request and egress charges the plan already estimates),
 * each with the page it came from and the date it was read. `usd: null` is a fee that could not be confirmed
 * here: the estimate names it as unknown rather than guessing.
 */
export interface ServiceFee {
  /** What is charged for: `per-gb` copied, or `per-run` (one task execution). */
  unit: 'per-gb' | 'per-run';
  usd: number | null;
  source: string;
  asOf: string;
  note?: string;
}

export const TRANSFER_SERVICE_FEES: Record<'gcp-sts' | 'aws-datasync' | 'azure-storage-mover', ServiceFee[]> = {
  'gcp-sts': [
    {
      unit: 'per-gb',
      usd: 0,
      source: 'https://cloud.google.com/storage-transfer/pricing',
      asOf: '2026-12-07',
      note: 'Agentless transfers (from Amazon S3, Azure Blob, Cloud Storage, URL lists): "No charges"; the network and operation charges at both ends still apply. Read from a stored copy of the page.',
    },
  ],
  'aws-datasync': [
    {
      unit: 'per-run',
      usd: 0.55,
      source: 'https://aws.amazon.com/datasync/pricing/',
      asOf: '2026-12-07',
      note: 'Enhanced mode, per task execution: $0.55 as listed in the AWS price list for DataSync (effective 2025-04-01) for US East (Ohio) and Asia Pacific (Mumbai); the pricing page itself could not be read here.',
    },
    {
      unit: 'per-gb',
      usd: null,
      source: 'https://aws.amazon.com/datasync/pricing/',
      asOf: '2026-12-07',
      note: 'Enhanced mode, per GB copied: not confirmed for commercial regions (the price list showed $0.015/GB for AWS GovCloud (US-West) only).',
    },
  ],
  'azure-storage-mover': [
    {
      unit: 'per-gb',
      usd: null,
      source: 'https://azure.microsoft.com/pricing/details/storage-mover/',
      asOf: '2026-12-07',
      note: 'Could not be confirmed here: no Azure Storage Mover pricing page was found in the sources available.',
    },
  ],
};
