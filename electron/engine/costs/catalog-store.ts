import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  CatalogOverlaySchema,
  PriceCatalogSchema,
  type CatalogOverlay,
  type Figure,
  type PriceCatalog,
  type PriceEdit,
  type ProviderPricing,
  type RegionPricing,
} from '../../../shared/contract/costs.catalog';
import { ConflictError, InvalidInputError } from '../../../shared/errors';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';
import { SHIPPED_CATALOG } from './catalog';
import { findClass, findProvider, findRegion } from './lookup';

const log = createLogger('costs.catalog');
export const OVERLAY_FILE = 'price-overlay.json';
const EDIT_SOURCE = 'edited by you';

export function emptyOverlay(): CatalogOverlay {
  return { version: 1, providers: [], regions: [], edits: [] };
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function editedFigure(old: Figure | undefined, edit: PriceEdit & { editedAt: string }): Figure {
  const note = edit.note ?? (old ? `Was ${old.value} (${old.source}, ${old.asOf}).` : undefined);
  return note === undefined ? { value: edit.value, source: EDIT_SOURCE, asOf: edit.editedAt } : { value: edit.value, source: EDIT_SOURCE, asOf: edit.editedAt, note };
}

/** Applies one edit to a (cloned) catalog in place; throws InvalidInputError when it names nothing. */
function applyEdit(catalog: PriceCatalog, edit: PriceEdit & { editedAt: string }): void {
  const region = findRegion(catalog, edit.provider, edit.region);
  const tier = edit.tier ?? 0;
  const needClass = (): ReturnType<typeof findClass> => {
    if (!edit.class) throw new InvalidInputError(`The ${edit.field} price belongs to a storage class: name one`);
    return findClass(region, edit.class);
  };
  const setTier = (tiers: RegionPricing['egress']['internet']): void => {
    const t = tiers[tier];
    if (!t) throw new InvalidInputError(`There is no tier ${tier} (tiers 0 to ${tiers.length - 1})`);
    t.usdPerGb = editedFigure(t.usdPerGb, edit);
  };
  switch (edit.field) {
    case 'storage': return setTier(needClass().storageUsdPerGbMonth);
    case 'egress': return setTier(region.egress.internet);
    case 'write': { const c = needClass(); c.writeUsdPer1000 = editedFigure(c.writeUsdPer1000, edit); return; }
    case 'read': { const c = needClass(); c.readUsdPer1000 = editedFigure(c.readUsdPer1000, edit); return; }
    case 'list': { const c = needClass(); c.listUsdPer1000 = editedFigure(c.listUsdPer1000, edit); return; }
    case 'retrieval': { const c = needClass(); c.retrievalUsdPerGb = editedFigure(c.retrievalUsdPerGb, edit); return; }
    case 'minStorageDays': { const c = needClass(); c.minStorageDays = editedFigure(c.minStorageDays, edit); return; }
    case 'egressFreeGb': region.egress.internetFreeGbPerMonth = editedFigure(region.egress.internetFreeGbPerMonth, edit); return;
    case 'interRegion': region.egress.interRegionUsdPerGb = editedFigure(region.egress.interRegionUsdPerGb, edit); return;
  }
}

/** Effective catalog = shipped + the user's providers + regions + edits. An edit that no longer applies is skipped. */
export function mergeCatalog(shipped: PriceCatalog, overlay: CatalogOverlay): PriceCatalog {
  const catalog: PriceCatalog = structuredClone(shipped);
  for (const p of overlay.providers) {
    const i = catalog.providers.findIndex((x) => x.id.toLowerCase() === p.id.toLowerCase());
    if (i === -1) catalog.providers.push(structuredClone(p));
    else log.warn(`overlay provider "${p.id}" clashes with a shipped one: ignored`);
  }
  for (const { provider, region } of overlay.regions) {
    const p = catalog.providers.find((x) => x.id.toLowerCase() === provider.toLowerCase());
    if (!p) continue;
    const i = p.regions.findIndex((r) => r.id.toLowerCase() === region.id.toLowerCase());
    if (i === -1) p.regions.push(structuredClone(region));
    else p.regions[i] = structuredClone(region);
  }
  for (const edit of overlay.edits) {
    try {
      applyEdit(catalog, edit);
    } catch (e) {
      log.warn(`skipped a price edit that no longer applies (${edit.provider}/${edit.region}/${edit.class ?? ''} ${edit.field})`, e);
    }
  }
  return PriceCatalogSchema.parse(catalog);
}

/** A schema failure becomes an InvalidInputError naming the first problem, so the user sees what to fix. */
function validated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof z.ZodError)) throw e;
    const first = e.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    throw new InvalidInputError(`The price catalog would be invalid${where}: ${first?.message ?? 'malformed'}`);
  }
}

export interface CatalogStore {
  effective(): Promise<PriceCatalog>;
  overlay(): Promise<CatalogOverlay>;
  setPrice(edit: PriceEdit): Promise<PriceCatalog>;
  addProvider(provider: ProviderPricing): Promise<PriceCatalog>;
  addRegion(provider: string, region: RegionPricing): Promise<PriceCatalog>;
  /** Forgets the user's changes: all of them, or those of one provider. */
  reset(provider?: string): Promise<PriceCatalog>;
}

/** The price catalog with the user's overlay saved as JSON in `dataDir`; writes are serialised. */
export function createCatalogStore(dataDir: string, shipped: PriceCatalog = SHIPPED_CATALOG): CatalogStore {
  const file = path.join(dataDir, OVERLAY_FILE);
  let cached: CatalogOverlay | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<CatalogOverlay> {
    if (cached) return cached;
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return (cached = emptyOverlay());
    }
    try {
      cached = CatalogOverlaySchema.parse(JSON.parse(text));
    } catch (e) {
      // A damaged overlay must not stop the app: keep a copy for the user and start from the shipped prices.
      const aside = `${file}.damaged-${Date.now()}`;
      await fs.rename(file, aside).catch(() => undefined);
      log.warn(`price overlay was unreadable; moved to ${path.basename(aside)}`, e);
      cached = emptyOverlay();
    }
    return cached;
  }

  /** Validates the would-be catalog before saving, so a bad change is refused and never persisted. */
  function change(mutate: (o: CatalogOverlay) => void): Promise<PriceCatalog> {
    const run = queue.then(async () => {
      const next = structuredClone(await load());
      mutate(next);
      const parsed = validated(() => CatalogOverlaySchema.parse(next));
      const catalog = validated(() => mergeCatalog(shipped, parsed));
      await writeFileAtomic(file, `${JSON.stringify(parsed, null, 2)}\n`);
      cached = parsed;
      return catalog;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    effective: async () => mergeCatalog(shipped, await load()),
    overlay: async () => structuredClone(await load()),
    setPrice: async (edit) => {
      const stamped = { ...edit, editedAt: today() };
      // Applying to the current catalog first turns a wrong name into a clear error instead of a silent skip.
      applyEdit(mergeCatalog(shipped, await load()), stamped);
      return change((o) => {
        o.edits = o.edits.filter((x) => !(x.provider === edit.provider && x.region === edit.region && x.class === edit.class && x.field === edit.field && (x.tier ?? 0) === (edit.tier ?? 0)));
        o.edits.push(stamped);
      });
    },
    addProvider: (provider) =>
      change((o) => {
        if (shipped.providers.some((p) => p.id.toLowerCase() === provider.id.toLowerCase())) {
          throw new ConflictError(`"${provider.id}" is a shipped provider: edit its prices or add a region instead`);
        }
        o.providers = o.providers.filter((p) => p.id.toLowerCase() !== provider.id.toLowerCase());
        o.providers.push(provider);
      }),
    addRegion: async (provider, region) => {
      findProvider(mergeCatalog(shipped, await load()), provider);
      return change((o) => {
        o.regions = o.regions.filter((r) => !(r.provider === provider && r.region.id.toLowerCase() === region.id.toLowerCase()));
        o.regions.push({ provider, region });
      });
    },
    reset: (provider) =>
      change((o) => {
        if (provider === undefined) Object.assign(o, emptyOverlay());
        else {
          const is = (id: string): boolean => id.toLowerCase() === provider.toLowerCase();
          o.providers = o.providers.filter((p) => !is(p.id));
          o.regions = o.regions.filter((r) => !is(r.provider));
          o.edits = o.edits.filter((e) => !is(e.provider));
        }
      }),
  };
}
