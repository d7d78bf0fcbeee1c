import { describe, expect, it } from 'vitest';
import { AccountSettingsSchema, type AccountSettings } from '../../../shared/accounts';
import { SHIPPED_CATALOG } from './catalog';
import { pricingFor } from './pricing-place';

const s3 = (extra: Record<string, unknown>): AccountSettings => AccountSettingsSchema.parse({ kind: 's3', name: 'a', region: 'us-east-1', ...extra });

describe('which catalog entry prices an account', () => {
  it('tells S3-compatible stores apart by their endpoint host, AWS by its region', () => {
    expect(pricingFor(s3({ endpoint: 'https://acc.r2.cloudflarestorage.com' }), SHIPPED_CATALOG)).toEqual({ provider: 'cloudflare-r2', region: 'auto' });
    expect(pricingFor(s3({ endpoint: 'https://s3.eu-central-1.wasabisys.com', region: 'eu-central-1' }), SHIPPED_CATALOG)).toEqual({ provider: 'wasabi', region: 'eu-central-1' });
    expect(pricingFor(s3({ region: 'eu-west-1' }), SHIPPED_CATALOG)).toEqual({ provider: 'aws-s3', region: 'eu-west-1' });
    expect(pricingFor(s3({ region: 'mars-1' }), SHIPPED_CATALOG)).toEqual({ provider: 'aws-s3', region: 'us-east-1' });
  });

  it('takes the account\'s own "Priced as" first: an on-premises MinIO priced as Wasabi, an Azure account in West Europe', () => {
    expect(pricingFor(s3({ endpoint: 'http://minio.local:9000', pricing: 'wasabi/eu-central-1' }), SHIPPED_CATALOG)).toEqual({ provider: 'wasabi', region: 'eu-central-1' });
    const azure = AccountSettingsSchema.parse({ kind: 'azure', name: 'b', auth: 'sharedKey', accountName: 'x', pricing: 'azure-blob/westeurope' });
    expect(pricingFor(azure, SHIPPED_CATALOG)).toEqual({ provider: 'azure-blob', region: 'westeurope' });
  });

  it('falls back to the automatic choice when the chosen place left the catalog', () => {
    expect(pricingFor(s3({ pricing: 'gone-provider/nowhere' }), SHIPPED_CATALOG)).toEqual({ provider: 'aws-s3', region: 'us-east-1' });
  });

  it('refuses a "Priced as" that is not provider/region, and takes empty as automatic', () => {
    expect(AccountSettingsSchema.safeParse({ kind: 's3', name: 'a', pricing: 'wasabi' }).success).toBe(false);
    const parsed = AccountSettingsSchema.parse({ kind: 's3', name: 'a', pricing: '' });
    expect(parsed.kind === 's3' && parsed.pricing).toBeUndefined();
  });
});
