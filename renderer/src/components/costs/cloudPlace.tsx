import { useEffect, useState } from 'react';
import type { PriceCatalog } from '../../../../shared/contract/costs.catalog';
import { formatLocation, type ProviderKind } from '../../../../shared/location';
import { useStore } from '../../store';
import { useBucketNames } from '../../store/useBucketNames';
import { Options } from '../Options';

/** The buckets of one account, listed when the account changes; `bucket` follows the list (first one by default). */
function useBuckets(account: string): { buckets: string[]; error: string | null; bucket: string; setBucket: (b: string) => void } {
  const { names, error, loading } = useBucketNames(account || null);
  const [bucket, setBucket] = useState('');
  useEffect(() => {
    if (!loading) setBucket((cur) => (names.includes(cur) ? cur : (names[0] ?? '')));
  }, [names, loading]);
  return { buckets: names, error, bucket, setBucket };
}

export interface CloudPlace {
  /** The cloud accounts (local folders have no bucket to scan or price). */
  cloud: ReturnType<typeof useStore.getState>['accounts'];
  account: string;
  setAccount: (a: string) => void;
  kind: ProviderKind | undefined;
  buckets: string[];
  bucketsError: string | null;
  bucket: string;
  setBucket: (b: string) => void;
  prefix: string;
  setPrefix: (p: string) => void;
  /** The chosen bucket or prefix as a location URI (a prefix always ends in '/'), or null until a bucket is chosen. */
  uri: string | null;
}

/** Account, bucket and prefix of a cloud account, as Bucket analytics and Retention ask for them. */
export function useCloudPlace(): CloudPlace {
  const accounts = useStore((s) => s.accounts);
  const cloud = accounts.filter((a) => a.settings.kind !== 'local');
  const [picked, setAccount] = useState('');
  const account = picked || cloud[0]?.settings.name || '';
  const kind = accounts.find((a) => a.settings.name === account)?.settings.kind;
  const { buckets, error, bucket, setBucket } = useBuckets(account);
  const [prefix, setPrefix] = useState('');
  const p = prefix.trim().replace(/^\/+/, '');
  const uri = kind && bucket ? formatLocation({ kind, account, bucket, key: p && !p.endsWith('/') ? `${p}/` : p }) : null;
  return { cloud, account, setAccount, kind, buckets, bucketsError: error, bucket, setBucket, prefix, setPrefix, uri };
}

/** The three fields of a CloudPlace, for a `cost-form-row` form. */
export function CloudPlaceFields({ place, prefixPlaceholder, bucketsErrorId }: { place: CloudPlace; prefixPlaceholder: string; bucketsErrorId?: string }) {
  return (
    <>
      <label className="field">
        <span>Account</span>
        <select value={place.account} onChange={(e) => place.setAccount(e.target.value)}>
          <Options items={place.cloud.map((a) => [a.settings.name, a.settings.name])} />
        </select>
      </label>
      <label className="field">
        <span>Bucket</span>
        <select value={place.bucket} onChange={(e) => place.setBucket(e.target.value)} aria-describedby={bucketsErrorId}>
          <Options items={place.buckets.map((b) => [b, b])} />
        </select>
      </label>
      <label className="field">
        <span>Prefix (optional)</span>
        <input value={place.prefix} onChange={(e) => place.setPrefix(e.target.value)} placeholder={prefixPlaceholder} />
      </label>
    </>
  );
}

/** Every provider and region of the price catalog as `provider/region` choices (the user's additions included). */
export function pricingPlaces(catalog: PriceCatalog | null | undefined): Array<{ value: string; label: string }> {
  return catalog?.providers.flatMap((p) => p.regions.map((r) => ({ value: `${p.id}/${r.id}`, label: `${p.name}: ${r.name}` }))) ?? [];
}
