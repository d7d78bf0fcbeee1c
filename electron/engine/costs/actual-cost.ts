import type { PriceCatalog, ProviderPricing, StorageClassPricing } from '../../../shared/contract/costs.catalog';
import type { CostEstimate, CostLine } from '../../../shared/contract/costs.estimate';
import type { RequestCounts } from '../../../shared/contract/costs.history';
import { requests, retrieval, sumLines, transferEgress } from './estimator';
import { findClassOrDefault, findProvider, findRegion } from './lookup';
import type { PricingPlace } from './what-if';

export interface ActualTransfer {
  source: PricingPlace & { class?: string };
  destination: PricingPlace & { class?: string };
  /** Bytes moved by each path: `server-side` is priced as a server-side copy, every other path as a relay. */
  bytesByPath: Readonly<Record<string, number>>;
  sourceRequests: RequestCounts;
  destinationRequests: RequestCounts;
}

/** Write-class requests: single PUTs, each multipart upload's initiate and complete, its parts, and copies. */
function writeRequests(c: RequestCounts, provider: ProviderPricing): number {
  return c.put + c.multipart * (provider.multipart.initiateRequests + provider.multipart.completeRequests) + c.parts + c.copy;
}

function requestLines(side: 'source-requests' | 'destination-requests', who: string, c: RequestCounts, provider: ProviderPricing, cls: StorageClassPricing): CostLine[] {
  const out: CostLine[] = [];
  if (c.list > 0) out.push(requests(side, `LIST at ${who}`, c.list, cls.listUsdPer1000));
  if (c.get > 0) out.push(requests(side, `GET at ${who}`, c.get, cls.readUsdPer1000));
  if (c.head > 0) out.push(requests(side, `HEAD at ${who}`, c.head, cls.readUsdPer1000));
  const writes = writeRequests(c, provider);
  if (writes > 0) out.push(requests(side, `PUT, multipart and COPY at ${who} (${cls.name})`, writes, cls.writeUsdPer1000));
  return out;
}

/**
 * The "actual" cost of a finished transfer: the estimator's own prices (egress by path, retrieval, request
 * prices by class) applied to the bytes really moved and the requests really counted, at one catalog. Deletes
 * are not priced (S3, GCS and Azure do not bill them); early deletion needs object ages a job does not know.
 */
export function actualTransferCost(catalog: PriceCatalog, t: ActualTransfer): CostEstimate {
  const notes: string[] = [];
  const srcProvider = findProvider(catalog, t.source.provider);
  const dstProvider = findProvider(catalog, t.destination.provider);
  const srcRegion = findRegion(catalog, t.source.provider, t.source.region);
  const dstRegion = findRegion(catalog, t.destination.provider, t.destination.region);
  const srcClass = findClassOrDefault(srcRegion, t.source.class, notes);
  const dstClass = findClassOrDefault(dstRegion, t.destination.class, notes);
  const ends = { srcProvider, dstProvider, srcRegion, dstRegion };
  const serverSide = t.bytesByPath['server-side'] ?? 0;
  const total = Object.values(t.bytesByPath).reduce((n, b) => n + b, 0);
  const lines: CostLine[] = [];
  if (serverSide > 0) lines.push(...transferEgress('server-side', serverSide, ends, notes));
  if (total - serverSide > 0) lines.push(...transferEgress('relay', total - serverSide, ends, notes));
  lines.push(...requestLines('source-requests', srcProvider.name, t.sourceRequests, srcProvider, srcClass));
  lines.push(...requestLines('destination-requests', dstProvider.name, t.destinationRequests, dstProvider, dstClass));
  const r = retrieval(total, srcClass);
  if (r) lines.push(r);
  if (t.sourceRequests.delete + t.destinationRequests.delete > 0) notes.push('Deletes are not billed.');
  const kept = lines.filter((l) => l.quantity > 0);
  return { currency: 'USD', lines: kept, totalUsd: sumLines(kept), notes };
}

/**
 * The "actual" cost of a job that only made requests at one place (a delete job): its LIST, GET and HEAD requests
 * at the place's read and list prices. DELETE has no price in the catalog (S3, GCS and Azure do not bill it); early
 * deletion of young objects in a class with a minimum storage duration needs their ages, which the job does not keep.
 */
export function actualRequestCost(catalog: PriceCatalog, place: PricingPlace & { class?: string }, counts: RequestCounts): CostEstimate {
  const notes: string[] = [];
  const provider = findProvider(catalog, place.provider);
  const cls = findClassOrDefault(findRegion(catalog, place.provider, place.region), place.class, notes);
  const lines = requestLines('source-requests', provider.name, counts, provider, cls).filter((l) => l.quantity > 0);
  if (counts.delete > 0) notes.push('Deletes are not billed; early deletion of objects younger than their class minimum is not included.');
  return { currency: 'USD', lines, totalUsd: sumLines(lines), notes };
}
