import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CloudTransferSchema, type CloudTransfer } from '../../../shared/contract/cloud-transfer.channels';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';

const log = createLogger('cloud-transfer');

const FileSchema = z.object({ version: z.literal(1), transfers: z.array(CloudTransferSchema) });

/**
 * The journal of cloud transfers: `dataDir/cloud-transfers.json`, replaced atomically on each change. It holds the
 * services' ids (job, run, what was created) so that the Transfers panel reattaches after a restart; no secrets.
 */
export class CloudTransferStore {
  private readonly file: string;
  private items = new Map<string, CloudTransfer>();
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'cloud-transfers.json');
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return; // none yet
    }
    const parsed = FileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      log.warn(`${this.file} does not match the journal's shape and is ignored`);
      return;
    }
    this.items = new Map(parsed.data.transfers.map((t) => [t.id, t]));
  }

  list(): CloudTransfer[] {
    return [...this.items.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): CloudTransfer | undefined {
    return this.items.get(id);
  }

  /** Saves one record; writes are serialised so that the file always holds the latest of every record. */
  async put(t: CloudTransfer): Promise<void> {
    this.items.set(t.id, t);
    await this.write();
  }

  /** Forgets these records (the list, not anything in the cloud). */
  async forget(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.items.delete(id);
    await this.write();
  }

  private async write(): Promise<void> {
    const snapshot = JSON.stringify({ version: 1, transfers: [...this.items.values()] });
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, snapshot));
    await this.writing;
  }
}
