import type { ErrorInfo } from '../../../shared/errors';
import type { Location } from '../../../shared/location';
import type { Provider, ResumeState } from '../providers/provider';

/** What the engine context gives for a URI: the provider of its account and the parsed location. */
export interface Resolved {
  provider: Provider;
  location: Location;
  /** Identifies one account of one provider: server-side copy is only possible inside one. */
  accountKey: string;
}

export type Resolver = (uri: string) => Promise<Resolved>;

/** One file of a job as planned by the listing phase (and saved in the journal). */
export interface PlannedFile {
  source: string;
  destination?: string;
  size: number;
  etag?: string;
  /** The one version of the source to act on (a retention run over noncurrent versions). */
  version?: string;
  renamedTo?: string;
  notice?: string;
  /** Known before any byte moves (a name the destination cannot hold, a collision): the file fails at once. */
  planError?: ErrorInfo;
  /**
   * The folder of the source the user chose (a prefix of its key, '' for the bucket): a delete or a move removes the
   * source only where no symlink below that folder leads out of it (RemoveOptions.within).
   */
  sourceWithin?: string;
  /** The folder of the destination the write must stay in (PutOptions.within), when the job's destination does not say. */
  within?: string;
}

/**
 * An unfinished upload of one file that a later attempt or run can continue: the source as it was when the
 * upload started (a different one means starting over) and the destination provider's own checkpoint.
 */
export interface ResumeRecord {
  source: { size: number; etag?: string; version?: string; modified?: string };
  state: ResumeState;
}
