import { useStore } from './index';
import type { BucketNames } from './storage.slice';
import { useLoad } from './useLoad';

const NONE: BucketNames = { names: [], error: null, loading: false };

/** The buckets of one account, listed again whenever the account shown changes (none for no account). */
export function useBucketNames(account: string | null): BucketNames {
  const loadBucketNames = useStore((s) => s.loadBucketNames);
  const listed = useStore((s) => (account ? s.bucketNames[account] : undefined));
  useLoad(account ? (signal) => loadBucketNames(account, signal) : null, [account]);
  return listed ?? NONE;
}
