import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseLocation, type Location } from '../../../shared/location';
import { InvalidInputError } from '../../../shared/errors';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';

/** A temp folder served as the local account `disk`: its sub-folders are buckets. For planner tests. */
export interface LocalFixture {
  root: string;
  provider: Provider;
  resolve(uri: string): { provider: Provider; location: Location };
  write(bucket: string, key: string, body: string, modified?: Date): Promise<void>;
  cleanup(): Promise<void>;
}

export async function localFixture(extra: Record<string, Provider> = {}): Promise<LocalFixture> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'skyferry-migrate-'));
  const provider = createLocalProvider({ kind: 'local', name: 'disk', root });
  const accounts: Record<string, Provider> = { disk: provider, ...extra };
  return {
    root,
    provider,
    resolve(uri) {
      const location = parseLocation(uri);
      const p = accounts[location.account];
      if (!p) throw new InvalidInputError(`No account ${location.account}`);
      return { provider: p, location };
    },
    async write(bucket, key, body, modified) {
      const file = path.join(root, bucket, ...key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, body);
      if (modified) await utimes(file, modified, modified);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Writes `body` at `rel` (a `/`-separated path) under `dir`, making its folders. */
export async function putFile(dir: string, rel: string, body: string): Promise<void> {
  const file = path.join(dir, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

/** Every file under `dir`, by its `/`-separated path, with its text. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')] = await readFile(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
