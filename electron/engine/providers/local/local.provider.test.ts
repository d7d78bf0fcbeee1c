import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MULTIPART } from '../provider';
import { readAll } from '../../test-support/conformance/data';
import { runConformance } from '../../test-support/conformance/suite';
import { createLocalProvider, type LocalProvider } from './local.provider';
import { TEMP_PREFIX } from './local.paths';

async function countTempFiles(dir: string): Promise<number> {
  let n = 0;
  for (const d of await readdir(dir, { withFileTypes: true, recursive: true })) if (d.name.startsWith(TEMP_PREFIX)) n++;
  return n;
}

runConformance(
  'local',
  async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'skyferry-local-'));
    await mkdir(path.join(root, 'bucket'));
    return {
      provider: createLocalProvider({ kind: 'local', name: 'conformance', root }),
      bucket: 'bucket',
      // A local disk has no multipart; the suite still writes at these sizes ±1 byte.
      multipart: DEFAULT_MULTIPART,
      // In-flight temp files play the part of open uploads: a failed or aborted put must leave none.
      pendingUploads: () => countTempFiles(path.join(root, 'bucket')),
      readWithSdk: (key) => readFile(path.join(root, 'bucket', ...key.split('/'))),
      teardown: () => rm(root, { recursive: true, force: true }),
    };
  },
);

describe('local provider: key safety, symlinks, folders', () => {
  let base: string;
  let root: string;
  let outside: string;
  let p: LocalProvider;
  const put = (key: string, body: string) => p.put('b', key, Readable.from([Buffer.from(body)]), { size: Buffer.byteLength(body) });

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-local-safety-'));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'b'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.txt'), 'outside the root');
    p = createLocalProvider({ kind: 'local', name: 'safety', root });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it.each([
    ['../../x', /"\.\." segment/],
    ['a/../../x', /"\.\." segment/],
    ['a/./b', /"\." segment/],
    ['..', /"\.\." segment/],
    ['p/..', /"\.\." segment/],
    ['a//b', /empty name part/],
    ['/etc/x', /absolute path/],
    ['a\\..\\x', /backslash/],
    ['\\\\host\\share\\x', /backslash/],
    ['a\0b', /NUL/],
    [`${'n'.repeat(256)}.txt`, /too long for a local disk/],
    [`${'d'.repeat(200)}/`.repeat(21), /longer than 4096 bytes, too long for a local disk/],
  ])('refuses the key %j with a clear message and writes nothing', async (key, message) => {
    await expect(put(key, 'x')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    await expect(p.stat('b', key)).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await readdir(base)).toEqual(['outside', 'root']);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('accepts a name of exactly 255 bytes', async () => {
    const name = 'n'.repeat(251) + '.txt';
    await put(name, 'max');
    expect((await p.stat('b', name)).size).toBe(3);
  });

  it('refuses bucket names that are paths', async () => {
    await expect(p.list('..', {})).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(p.list('a/b', {})).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(p.createBucket('.')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('never lists, opens or writes through a symlink that leads out of the root', async () => {
    await symlink(outside, path.join(root, 'b', 'escape'));
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'b', 'secret-link.txt'));
    await symlink(outside, path.join(root, 'outside-bucket'));
    const listed = await p.list('b', { delimiter: '/' });
    expect(listed.entries.map((e) => e.key)).not.toContain('escape/');
    expect(listed.entries.map((e) => e.key)).not.toContain('secret-link.txt');
    expect((await p.list('b', {})).entries.map((e) => e.key).filter((k) => k.includes('secret'))).toEqual([]);
    expect((await p.list('b', { prefix: 'escape/', delimiter: '/' })).entries).toEqual([]);
    expect((await p.listBuckets()).map((x) => x.name)).not.toContain('outside-bucket');
    await expect(p.open('b', 'secret-link.txt')).rejects.toMatchObject({ code: 'access_denied', message: expect.stringMatching(/outside/) });
    await expect(p.stat('b', 'escape/secret.txt')).rejects.toMatchObject({ code: 'access_denied' });
    await expect(put('escape/new.txt', 'nope')).rejects.toMatchObject({ code: 'access_denied' });
    await expect(p.list('outside-bucket', {})).rejects.toMatchObject({ code: 'access_denied' });
    expect(await readdir(outside)).toEqual(['secret.txt']);
    // Removing the link removes the link only.
    await p.remove('b', 'secret-link.txt');
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside the root');
  });

  it('follows a symlink that stays inside the root', async () => {
    await put('real/inside.txt', 'inside');
    await symlink(path.join(root, 'b', 'real'), path.join(root, 'b', 'alias'));
    const top = await p.list('b', { delimiter: '/' });
    expect(top.entries.find((e) => e.key === 'alias/')?.isPrefix).toBe(true);
    expect((await readAll(await p.open('b', 'alias/inside.txt'))).toString()).toBe('inside');
  });

  it('makes folders from markers, refuses bytes in a marker, and a file where a folder is', async () => {
    await p.put('b', 'made/deep/', Readable.from([]), { size: 0 });
    expect((await p.stat('b', 'made/deep/')).size).toBe(0);
    await expect(p.put('b', 'bad/', Readable.from([Buffer.from('x')]), { size: 1 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(put('made', 'x')).rejects.toMatchObject({ code: 'conflict' });
    await put('plain.txt', 'x');
    await expect(put('plain.txt/child', 'x')).rejects.toMatchObject({ code: 'conflict' });
    const removal = await p.removeMany('b', ['made/', 'made/deep/']);
    expect(removal).toEqual({ removed: 2, failed: [] });
    await expect(p.stat('b', 'made/')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('guesses a content type from the extension, refuses metadata changes, copies and hashes', async () => {
    await put('doc/readme.md', 'hello');
    const meta = await p.stat('b', 'doc/readme.md');
    expect(meta.contentType).toBe('text/markdown');
    expect(meta.userMetadata).toEqual({});
    await expect(p.setMetadata('b', 'doc/readme.md', { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/Local folders cannot store metadata/) });
    await p.copy({ bucket: 'b', key: 'doc/readme.md' }, { bucket: 'b', key: 'copy dir/readme #2.md' });
    expect((await readAll(await p.open('b', 'copy dir/readme #2.md'))).toString()).toBe('hello');
    expect(await p.hash('b', 'copy dir/readme #2.md', 'md5')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(await p.hash('b', 'doc/readme.md', 'sha256')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    await expect(p.hash('b', 'doc/readme.md', 'crc32c')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('hides in-flight temp files from listings', async () => {
    await writeFile(path.join(root, 'b', `${TEMP_PREFIX}abc`), 'half');
    const keys = (await p.list('b', {})).entries.map((e) => e.key);
    expect(keys.some((k) => k.includes(TEMP_PREFIX))).toBe(false);
  });
});
