import type { StorageFeatures } from '../../../shared/model';
import { LocalNamePlanner, defaultNameRules } from '../jobs/local-names';

/** What becomes of one source name at one destination. */
export type NameDecision =
  | { ok: true; destKey: string; renamed?: { message: string }; warning?: { issue: 'nfc-nfd'; message: string } }
  | { ok: false; issue: 'too-long' | 'collision' | 'unusable'; message: string };

/**
 * Maps relative source keys to relative destination keys, once per object in listing order. Local folders get
 * the job engine's reversible escaping and collision checks (jobs/local-names.ts: case on case-insensitive disks,
 * NFC/NFD, `a//b`); every destination gets the key-length limit (never truncated: the object is not copied) and,
 * where the store is case-insensitive but not a local folder, a case-collision check of its own. Two names that
 * differ only by Unicode normalisation are kept apart on clouds (they are different keys there) but reported,
 * since they look the same to a person.
 */
export class DestinationNamer {
  private readonly local: LocalNamePlanner | undefined;
  private readonly seenFolded = new Map<string, string>();
  private readonly seenNfc = new Map<string, string>();

  constructor(
    private readonly features: StorageFeatures,
    private readonly destPrefix: string,
    isLocal: boolean,
  ) {
    this.local = isLocal ? new LocalNamePlanner({ ...defaultNameRules(), caseInsensitive: features.caseInsensitive }) : undefined;
  }

  map(relKey: string): NameDecision {
    let destKey = relKey;
    let renamed: { message: string } | undefined;
    if (this.local) {
      const named = this.local.add(relKey);
      if (!named.ok) return { ok: false, issue: named.code === 'conflict' ? 'collision' : 'unusable', message: named.message };
      destKey = named.relPath;
      if (named.renamed) renamed = { message: named.notice ?? `Stored as "${named.relPath}"` };
    }
    const bytes = Buffer.byteLength(this.destPrefix + destKey);
    if (bytes > this.features.maxKeyBytes) {
      return { ok: false, issue: 'too-long', message: `The name is ${bytes} bytes at the destination, which holds at most ${this.features.maxKeyBytes}: not copied, never truncated` };
    }
    let warning: { issue: 'nfc-nfd'; message: string } | undefined;
    if (!this.local) {
      if (this.features.caseInsensitive) {
        const folded = destKey.normalize('NFC').toLowerCase();
        const other = this.seenFolded.get(folded);
        if (other !== undefined) return { ok: false, issue: 'collision', message: `"${relKey}" and "${other}" differ only by case, which the destination does not tell apart: "${relKey}" not copied` };
        this.seenFolded.set(folded, relKey);
      }
      const nfc = destKey.normalize('NFC');
      const twin = this.seenNfc.get(nfc);
      if (twin !== undefined && twin !== destKey) {
        warning = { issue: 'nfc-nfd', message: `"${relKey}" and "${twin}" are the same name in different Unicode forms (NFC/NFD): both are kept as distinct keys` };
      } else this.seenNfc.set(nfc, destKey);
    }
    return { ok: true, destKey, ...(renamed ? { renamed } : {}), ...(warning ? { warning } : {}) };
  }
}
