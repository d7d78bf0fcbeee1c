import type { versionChannels, ObjectVersion } from '../../../shared/contract/versions';
import { ConflictError, InvalidInputError, NotFoundError, UnsupportedError } from '../../../shared/errors';
import { baseName, formatLocation, type Location } from '../../../shared/location';
import type { EngineContext } from '../context';
import type { Handler } from '../dispatch';
import { deletedKeys } from '../providers/versions';
import { statIfAny, type ObjectVersioning, type Provider } from '../providers/provider';

export type VersionHandlers = { [C in keyof typeof versionChannels]: Handler<C> };

/** How many pages of versions "Show deleted" reads under one folder before it says the list is cut short. */
const DELETED_PAGES = 20;

function versioningOf(provider: Provider, location: Location): ObjectVersioning {
  if (!provider.features.versions || !provider.versioning) throw new UnsupportedError(`${location.account} keeps no object versions (a ${provider.kind === 'local' ? 'local folder' : 'store'} without versioning)`);
  return provider.versioning;
}

function needBucket(location: Location, uri: string): void {
  if (!location.bucket) throw new InvalidInputError(`${uri} is an account, not a bucket: choose a bucket first`);
}

function needObject(location: Location, uri: string): void {
  needBucket(location, uri);
  if (!location.key || location.key.endsWith('/')) throw new InvalidInputError(`${uri} is a folder, not an object: choose a file`);
}

/** `report.txt` and a version's date: `report (version 2026-12-07 04.01.02).txt`, a name that says what it is. */
export function versionCopyName(key: string, version: ObjectVersion): string {
  const name = baseName(key);
  const when = (version.modified ?? '').replace('T', ' ').replace(/\..*$|Z$/, '').replace(/:/g, '.') || version.versionId.slice(0, 12);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (version ${when})${name.slice(dot)}` : `${name} (version ${when})`;
}

/**
 * Versions and recovery. Every call that deletes or replaces looks the version up first, in the same listing the
 * user saw, and refuses one that is not there, is not what the user confirmed, or is the current version where
 * that was not asked for.
 */
export function createVersionHandlers(ctx: EngineContext): VersionHandlers {
  const ok = { ok: true as const };
  const resolveObject = (uri: string) => {
    const { provider, location } = ctx.providers.resolve(uri);
    needObject(location, uri);
    return { provider, location, versions: versioningOf(provider, location) };
  };
  const find = async (v: ObjectVersioning, location: Location, versionId: string, signal: AbortSignal): Promise<ObjectVersion> => {
    const found = (await v.list(location.bucket, location.key, signal)).find((x) => x.versionId === versionId);
    if (!found) throw new NotFoundError(`${formatLocation(location)} has no version ${versionId}: list its versions again`);
    return found;
  };

  return {
    'versions:list': async ({ uri }, { signal }) => {
      const { location, versions } = resolveObject(uri);
      return { versions: await versions.list(location.bucket, location.key, signal) };
    },

    'versions:deleted': async ({ uri }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needBucket(location, uri);
      const versions = versioningOf(provider, location);
      const prefix = location.key;
      const entries: ReturnType<typeof deletedKeys> = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await versions.listAll(location.bucket, { prefix, cursor }, signal);
        // Only what lies directly in this folder, as the pane shows it.
        entries.push(...deletedKeys(page.versions).filter((d) => !d.key.slice(prefix.length).includes('/')));
        cursor = page.cursor;
        pages += 1;
      } while (cursor && pages < DELETED_PAGES);
      return { entries, truncated: cursor !== undefined };
    },

    'versions:restore': async ({ uri, versionId }, { signal }) => {
      const { location, versions } = resolveObject(uri);
      const v = await find(versions, location, versionId, signal);
      if (v.kind === 'delete-marker') throw new InvalidInputError('A delete marker holds no bytes to restore: undelete the object instead');
      if (v.isCurrent) return ok;
      await versions.restore(location.bucket, location.key, versionId, signal);
      return ok;
    },

    'versions:remove': async ({ uri, versionId, expect, allowCurrent }, { signal }) => {
      const { location, versions } = resolveObject(uri);
      const v = await find(versions, location, versionId, signal);
      if (v.size !== expect.size) throw new ConflictError(`That version holds ${v.size} bytes, not the ${expect.size} confirmed: list its versions again`);
      if (v.isCurrent && v.kind !== 'delete-marker' && allowCurrent !== true) {
        throw new ConflictError(`That is the current version of ${formatLocation(location)}: delete the object, or confirm deleting its current version`);
      }
      await versions.remove(location.bucket, location.key, versionId, signal);
      return ok;
    },

    'versions:undelete': async ({ uri }, { signal }) => {
      const { location, versions } = resolveObject(uri);
      await versions.undelete(location.bucket, location.key, signal);
      return ok;
    },

    'versions:copy': async ({ uri, versionId, destination }, { signal }) => {
      const { location, versions } = resolveObject(uri);
      const v = await find(versions, location, versionId, signal);
      if (v.kind === 'delete-marker' || v.kind === 'deleted') throw new InvalidInputError('That version holds no bytes to copy');
      const dst = ctx.providers.resolve(destination);
      needBucket(dst.location, destination);
      const key = !dst.location.key || dst.location.key.endsWith('/') ? `${dst.location.key}${versionCopyName(location.key, v)}` : dst.location.key;
      const target: Location = { ...dst.location, key };
      if (target.account === location.account && target.bucket === location.bucket && key === location.key) {
        throw new InvalidInputError('Copying a version onto its own object is a restore: use Restore');
      }
      // Never over something that is there: the user asked for a copy, not a replacement.
      if (await statIfAny(dst.provider, target.bucket, key, signal)) throw new ConflictError(`${formatLocation(target)} exists already: choose another place`);
      const source = await versions.open(location.bucket, location.key, versionId, signal);
      try {
        await dst.provider.put(target.bucket, key, source, { size: v.size, signal, ...(dst.location.key.endsWith('/') ? { within: dst.location.key } : {}) });
      } finally {
        source.destroy();
      }
      return { destination: formatLocation(target) };
    },

    'versions:settings': async ({ uri }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needBucket(location, uri);
      return versioningOf(provider, location).getSettings(location.bucket, signal);
    },

    'versions:configure': async ({ uri, versioning, softDeleteDays }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needBucket(location, uri);
      const patch = { ...(versioning === undefined ? {} : { versioning }), ...(softDeleteDays === undefined ? {} : { softDeleteDays }) };
      return versioningOf(provider, location).setSettings(location.bucket, patch, signal);
    },
  };
}
