import { Readable } from 'node:stream';
import { InvalidInputError, UnsupportedError } from '../../../shared/errors';
import { formatLocation, type Location } from '../../../shared/location';
import type { ObjectEntry } from '../../../shared/model';
import type { EngineContext } from '../context';
import type { Handler } from '../dispatch';

export interface StorageHandlers {
  'buckets:list': Handler<'buckets:list'>;
  'buckets:create': Handler<'buckets:create'>;
  'buckets:remove': Handler<'buckets:remove'>;
  'objects:list': Handler<'objects:list'>;
  'objects:stat': Handler<'objects:stat'>;
  'objects:setMetadata': Handler<'objects:setMetadata'>;
  'objects:presign': Handler<'objects:presign'>;
  'objects:mkdir': Handler<'objects:mkdir'>;
}

function needBucket(location: Location, uri: string): void {
  if (!location.bucket) throw new InvalidInputError(`${uri} is an account, not a bucket: choose a bucket first`);
}

function needObject(location: Location, uri: string): void {
  needBucket(location, uri);
  if (!location.key || location.key.endsWith('/')) throw new InvalidInputError(`${uri} is a folder, not an object: choose a file`);
}

/** Folders first, keeping the provider's order inside each group (a stable partition). */
function foldersFirst(entries: ObjectEntry[]): ObjectEntry[] {
  return [...entries.filter((e) => e.isPrefix), ...entries.filter((e) => !e.isPrefix)];
}

/** Buckets and objects: each handler resolves its account's cached provider and calls it with the request's signal. */
export function createStorageHandlers(ctx: EngineContext): StorageHandlers {
  const ok = { ok: true as const };
  return {
    'buckets:list': async ({ account }, { signal }) => ctx.providers.get(account).listBuckets(signal),

    'buckets:create': async ({ account, bucket }, { signal }) => {
      await ctx.providers.get(account).createBucket(bucket, signal);
      return ok;
    },

    'buckets:remove': async ({ account, bucket }, { signal }) => {
      await ctx.providers.get(account).removeBucket(bucket, signal);
      return ok;
    },

    'objects:list': async ({ uri, cursor, pageSize, delimited }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needBucket(location, uri);
      const page = await provider.list(
        location.bucket,
        { prefix: location.key, delimiter: delimited === false ? undefined : '/', cursor, pageSize },
        signal,
      );
      return {
        entries: foldersFirst(page.entries),
        ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
        ...(page.total === undefined ? {} : { total: page.total }),
      };
    },

    'objects:stat': async ({ uri }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needObject(location, uri);
      return provider.stat(location.bucket, location.key, signal);
    },

    'objects:setMetadata': async ({ uri, patch }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needObject(location, uri);
      if (!provider.features.setMetadata) throw new UnsupportedError(`${location.account} cannot change an object's metadata`);
      return provider.setMetadata(location.bucket, location.key, patch, signal);
    },

    'objects:presign': async ({ uri, expiresSeconds }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needObject(location, uri);
      if (!provider.presign) {
        throw new UnsupportedError(`${location.account} cannot make share links (${formatLocation({ ...location, key: '' })} has no URLs)`);
      }
      // Temporary credentials (a role, SSO) sign links that die with them: the link says how long it really lives.
      const asked = Date.now() + expiresSeconds * 1000;
      const until = (await provider.signingExpiry?.())?.getTime() ?? Infinity;
      const url = await provider.presign(location.bucket, location.key, expiresSeconds);
      if (until >= asked) return { url, expires: new Date(asked).toISOString() };
      const note = `${location.account} signs in with temporary credentials, so the link works only until they expire, sooner than asked`;
      return { url, expires: new Date(until).toISOString(), note };
    },

    'objects:mkdir': async ({ uri }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      needBucket(location, uri);
      if (!location.key) throw new InvalidInputError(`${uri} names no folder: add the folder's name`);
      const key = location.key.endsWith('/') ? location.key : `${location.key}/`;
      await provider.put(location.bucket, key, Readable.from([]), { size: 0, signal });
      return ok;
    },
  };
}
