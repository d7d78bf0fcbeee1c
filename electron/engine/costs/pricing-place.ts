import type { AccountSettings } from '../../../shared/accounts';
import type { PriceCatalog } from '../../../shared/contract/costs.catalog';
import { DEFAULT_PLACE } from './catalog';
import type { PricingPlace } from './what-if';

/** Which catalog entry prices an account: S3-compatible stores are told apart by their endpoint's host. */
export function pricingFor(settings: AccountSettings | undefined, catalog: PriceCatalog): PricingPlace {
  const has = (p: PricingPlace): boolean =>
    catalog.providers.some((x) => x.id === p.provider && x.regions.some((r) => r.id.toLowerCase() === p.region.toLowerCase()));
  if (!settings) return DEFAULT_PLACE.local;
  // The user's own choice ("Priced as" in the account dialog) wins while the catalog still has it.
  if (settings.kind !== 'local' && settings.pricing) {
    const [provider = '', region = ''] = settings.pricing.split('/');
    const chosen = { provider, region };
    if (has(chosen)) return chosen;
  }
  if (settings.kind !== 's3') return DEFAULT_PLACE[settings.kind];
  const host = settings.endpoint ? new URL(settings.endpoint).hostname : '';
  if (host.endsWith('.r2.cloudflarestorage.com')) return { provider: 'cloudflare-r2', region: 'auto' };
  if (host.endsWith('wasabisys.com')) {
    const wasabi = { provider: 'wasabi', region: settings.region };
    return has(wasabi) ? wasabi : { provider: 'wasabi', region: 'us-east-1' };
  }
  const aws = { provider: 'aws-s3', region: settings.region };
  return has(aws) ? aws : DEFAULT_PLACE.s3;
}
