import { PriceCatalogSchema, type PriceCatalog } from '../../../../shared/contract/costs.catalog';
import { awsS3 } from './aws-s3';
import { azureBlob } from './azure-blob';
import { gcs } from './gcs';
import { cloudflareR2, localDisk, wasabiHot } from './s3-compatible';

/** The catalog shipped with the app, validated once at load so a typo in a data file fails the first test. */
export const SHIPPED_CATALOG: PriceCatalog = PriceCatalogSchema.parse({
  providers: [awsS3, gcs, azureBlob, cloudflareR2, wasabiHot, localDisk],
});

/** The default pricing place for an account of a provider kind when the user has not said which region. */
export const DEFAULT_PLACE = {
  s3: { provider: 'aws-s3', region: 'us-east-1' },
  gcs: { provider: 'gcs', region: 'us-central1' },
  azure: { provider: 'azure-blob', region: 'eastus' },
  local: { provider: 'local', region: 'local' },
} as const;
