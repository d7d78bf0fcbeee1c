import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../../../shared/errors';
import { ProfileSchema, type MigrationRequest, type Profile } from '../../../shared/contract/migrations.channels';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';

const log = createLogger('migrations.profiles');
const FILE = 'migration-profiles.json';

/** Named migrations the user can run again; kept as one JSON file in the data dir, writes serialised. */
export class ProfileStore {
  private cache: Profile[] | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  async list(): Promise<Profile[]> {
    if (this.cache) return this.cache;
    try {
      const parsed = z.array(ProfileSchema).safeParse(JSON.parse(await readFile(path.join(this.dataDir, FILE), 'utf8')));
      if (!parsed.success) log.warn(`${FILE} does not parse; starting with no profiles`);
      this.cache = parsed.success ? parsed.data : [];
    } catch {
      this.cache = [];
    }
    return this.cache;
  }

  async get(name: string): Promise<Profile> {
    const p = (await this.list()).find((x) => x.name === name);
    if (!p) throw new NotFoundError(`There is no migration profile named "${name}"`);
    return p;
  }

  save(name: string, request: MigrationRequest): Promise<void> {
    return this.write((all) => [...all.filter((p) => p.name !== name), { name, request, savedAt: new Date().toISOString() }].sort((a, b) => a.name.localeCompare(b.name)));
  }

  remove(name: string): Promise<void> {
    return this.write((all) => {
      if (!all.some((p) => p.name === name)) throw new NotFoundError(`There is no migration profile named "${name}"`);
      return all.filter((p) => p.name !== name);
    });
  }

  private write(change: (all: Profile[]) => Profile[]): Promise<void> {
    const next = this.queue.then(async () => {
      const updated = change(await this.list());
      await writeFileAtomic(path.join(this.dataDir, FILE), JSON.stringify(updated, null, 2));
      this.cache = updated;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
