import type {
  PriceCatalog,
  ProviderPricing,
  RegionPricing,
  StorageClassPricing,
} from '../../../shared/contract/costs.catalog';
import { InvalidInputError } from '../../../shared/errors';

/** Finding prices by the names a user or a listing gives: ids match case-insensitively, classes by alias too. */
export function findProvider(catalog: PriceCatalog, id: string): ProviderPricing {
  const p = catalog.providers.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!p) throw new InvalidInputError(`No prices for provider "${id}": add it in Costs > Price catalog`);
  return p;
}

export function findRegion(catalog: PriceCatalog, provider: string, region: string): RegionPricing {
  const p = findProvider(catalog, provider);
  const r = p.regions.find((x) => x.id.toLowerCase() === region.toLowerCase());
  if (!r) throw new InvalidInputError(`No prices for ${p.name} in region "${region}": add the region in Costs > Price catalog`);
  return r;
}

/** The class a listing reports, or the region's default for objects that report none (local files, Azure defaults). */
export function findClass(region: RegionPricing, storageClass: string | undefined): StorageClassPricing {
  const want = (storageClass ?? region.defaultClass).toLowerCase();
  const c = region.classes.find((x) => x.id.toLowerCase() === want || (x.aliases ?? []).some((a) => a.toLowerCase() === want));
  if (!c) throw new InvalidInputError(`No prices for storage class "${storageClass}" in region ${region.name}`);
  return c;
}

/** Like findClass, but an unknown class falls back to the default one, with a note saying so. */
export function findClassOrDefault(region: RegionPricing, storageClass: string | undefined, notes: string[]): StorageClassPricing {
  try {
    return findClass(region, storageClass);
  } catch {
    const fallback = findClass(region, undefined);
    notes.push(`Storage class "${storageClass}" is not in the catalog for ${region.name}: priced as ${fallback.name}.`);
    return fallback;
  }
}
