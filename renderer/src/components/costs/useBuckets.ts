import { useEffect, useState } from 'react';
import { errorMessage, invoke } from '../../api/client';

/** The buckets of one account, listed when the account changes; `bucket` follows the list (first one by default). */
export function useBuckets(account: string): {
  buckets: string[];
  error: string | null;
  bucket: string;
  setBucket: (b: string) => void;
} {
  const [buckets, setBuckets] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [bucket, setBucket] = useState('');
  useEffect(() => {
    if (!account) return undefined;
    let live = true;
    setBuckets([]);
    setError(null);
    invoke('buckets:list', { account })
      .then((list) => {
        if (!live) return;
        const names = list.map((b) => b.name);
        setBuckets(names);
        setBucket((cur) => (names.includes(cur) ? cur : (names[0] ?? '')));
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [account]);
  return { buckets, error, bucket, setBucket };
}
