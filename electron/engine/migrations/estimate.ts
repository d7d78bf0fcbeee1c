import type { AccountSettings } from '../../../shared/accounts';
import type { CostEstimate } from '../../../shared/contract/costs.estimate';
import type { Location } from '../../../shared/location';
import type { CatalogStore } from '../costs/catalog-store';
import { pricingFor } from '../costs/pricing-place';
import { estimateTransfer } from '../costs/estimator';
import type { PlannerDeps } from './planner';

/** The planner's cost estimate: the cost model's estimateTransfer, priced at each account's provider and region. */
export function catalogEstimator(catalog: CatalogStore, accounts: { get(name: string): { settings: AccountSettings } | undefined }): NonNullable<PlannerDeps['estimate']> {
  return async (input): Promise<CostEstimate | null> => {
    const cat = await catalog.effective();
    const place = (loc: Location): { provider: string; region: string } => pricingFor(accounts.get(loc.account)?.settings, cat);
    return estimateTransfer(cat, {
      source: place(input.source),
      destination: place(input.destination),
      files: input.files,
      bytes: input.bytes,
      ...(input.sizes ? { sizes: input.sizes } : {}),
      path: input.path,
    });
  };
}
