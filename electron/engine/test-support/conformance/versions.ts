import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { ObjectVersion } from '../../../../shared/contract/versions';
import { deletedKeys } from '../../providers/versions';
import type { ObjectVersioning, Provider } from '../../providers/provider';
import { readAll } from './data';
import type { VersionCase } from './quirks';

/** What the version cases need of the conformance fixture (see ConformanceFixture). */
export interface VersionFixture {
  provider: Provider;
  bucket: string;
  readWithSdk: (key: string) => Promise<Buffer>;
  keepVersion?: (key: string) => Promise<void>;
}

type Case = (label: string, c: VersionCase, fn: () => Promise<void>) => void;

/** Every version of a key listed under a prefix, through listAll's pages. */
async function listAllUnder(v: ObjectVersioning, bucket: string, prefix: string): Promise<ObjectVersion[]> {
  const rows: ObjectVersion[] = [];
  let cursor: string | undefined;
  do {
    const page = await v.listAll(bucket, { prefix, cursor });
    rows.push(...page.versions);
    cursor = page.cursor;
  } while (cursor);
  return rows;
}

/**
 * The version cases of the conformance suite: they run last, in the suite's bucket, under `versions/`, after
 * turning versioning on where the account can (or keeping snapshots with the fixture's `keepVersion`).
 */
export function versionCases(fx: () => VersionFixture, itCase: Case): void {
  const p = (): Provider => fx().provider;
  const b = (): string => fx().bucket;
  const v = (): ObjectVersioning => {
    const x = p().versioning;
    if (!x) throw new Error('no versioning');
    return x;
  };
  const put = (key: string, body: string) => p().put(b(), key, Readable.from([Buffer.from(body)]), { size: Buffer.byteLength(body) });
  /** Writes each body in turn over the key, each earlier one kept as a version. */
  const writeVersions = async (key: string, bodies: string[]): Promise<void> => {
    for (const [i, body] of bodies.entries()) {
      if (i > 0 && fx().keepVersion) await fx().keepVersion?.(key);
      await put(key, body);
    }
  };
  const bytesOf = async (key: string, versionId: string) => (await readAll(await v().open(b(), key, versionId))).toString('utf8');

  itCase('reads the bucket versioning settings, and turns versioning on where the account can', 'versions', async () => {
    const before = await v().getSettings(b());
    expect(before.notes).toBeInstanceOf(Array);
    if (!before.canSetVersioning) {
      await expect(v().setSettings(b(), { versioning: 'enabled' })).rejects.toMatchObject({ code: 'unsupported' });
      return;
    }
    const after = await v().setSettings(b(), { versioning: 'enabled' });
    expect(after.versioning).toBe('enabled');
  });

  itCase('lists every version of an object, newest first, only the newest current, each with its own bytes', 'versionedWrites', async () => {
    const key = 'versions/list.txt';
    await writeVersions(key, ['one', 'two!', 'three']);
    const versions = await v().list(b(), key);
    expect(versions.map((x) => x.size)).toEqual([5, 4, 3]);
    expect(versions.map((x) => x.isCurrent)).toEqual([true, false, false]);
    expect(new Set(versions.map((x) => x.versionId)).size).toBe(3);
    expect(await Promise.all(versions.map((x) => bytesOf(key, x.versionId)))).toEqual(['three', 'two!', 'one']);
    expect(versions[1]?.noncurrentSince).toBeDefined();
    // A key that merely starts with this one is not among its versions.
    await put('versions/list.txt.bak', 'other');
    expect(await v().list(b(), key)).toHaveLength(3);
  });

  itCase('restoring an old version makes its bytes current (read with the SDK); every version stays', 'versionedWrites', async () => {
    const key = 'versions/restore.txt';
    await writeVersions(key, ['first', 'second']);
    const old = (await v().list(b(), key)).find((x) => !x.isCurrent);
    expect(old).toBeDefined();
    await v().restore(b(), key, old?.versionId ?? '');
    expect((await fx().readWithSdk(key)).toString()).toBe('first');
    const after = await v().list(b(), key);
    expect(after.map((x) => x.versionId)).toContain(old?.versionId);
    expect(after.length).toBeGreaterThanOrEqual(2);
  });

  itCase('deleting one version removes only it: the current bytes and the other versions remain', 'versionedWrites', async () => {
    const key = 'versions/remove-one.txt';
    await writeVersions(key, ['aa', 'bbb', 'cccc']);
    const [current, middle, oldest] = await v().list(b(), key);
    await v().remove(b(), key, middle?.versionId ?? '');
    const left = await v().list(b(), key);
    expect(left.map((x) => x.versionId)).toEqual([current?.versionId, oldest?.versionId]);
    expect((await fx().readWithSdk(key)).toString()).toBe('cccc');
    expect(await bytesOf(key, oldest?.versionId ?? '')).toBe('aa');
    // Data-loss guard: a version call without a version id acts on nothing (a plain delete would hit the current).
    await expect(v().remove(b(), key, '')).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await v().list(b(), key)).toHaveLength(2);
    expect((await fx().readWithSdk(key)).toString()).toBe('cccc');
  });

  itCase('a delete keeps the versions: the object reads as missing, "Show deleted" finds it', 'deleteKeepsVersions', async () => {
    const key = 'versions/deleted/gone.txt';
    await writeVersions(key, ['v1', 'v2!']);
    await put('versions/deleted/alive.txt', 'here');
    await p().remove(b(), key);
    await expect(p().stat(b(), key)).rejects.toMatchObject({ code: 'not_found' });
    const versions = await v().list(b(), key);
    expect(versions.filter((x) => x.kind !== 'delete-marker').map((x) => x.size)).toEqual([3, 2]);
    expect(versions.some((x) => x.isCurrent && x.kind !== 'delete-marker')).toBe(false);
    const deleted = deletedKeys(await listAllUnder(v(), b(), 'versions/deleted/'));
    expect(deleted.map((d) => d.key)).toEqual([key]);
    expect(deleted[0]).toMatchObject({ size: 3, versions: 2 });
  });

  itCase('undelete brings a deleted object back with its last bytes', 'undelete', async () => {
    const key = 'versions/undelete.txt';
    await writeVersions(key, ['before', 'last']);
    await p().remove(b(), key);
    await v().undelete(b(), key);
    expect((await fx().readWithSdk(key)).toString()).toBe('last');
    await expect(v().undelete(b(), key)).rejects.toMatchObject({ code: 'not_found' });
  });
}
