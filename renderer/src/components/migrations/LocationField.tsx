import { useId } from 'react';
import { formatLocation, parseLocation, type Location } from '../../../../shared/location';
import { useStore } from '../../store';
import { useBucketNames } from '../../store/useBucketNames';
import { AccountOptions, Options } from '../Options';
import { ProviderBadge } from '../ProviderBadge';

function tryParse(uri: string): Location | null {
  try {
    return parseLocation(uri.trim());
  } catch {
    return null;
  }
}

/**
 * A location as pickers (account, bucket, folder) and as the URI they make, which the user may also paste.
 * The URI is the value; the pickers show what it parses to.
 */
export function LocationField({ label, value, onChange, error, onRemove }: { label: string; value: string; onChange: (uri: string) => void; error?: string | undefined; onRemove?: () => void }) {
  const accounts = useStore((s) => s.accounts);
  const loc = tryParse(value);
  const account = loc && accounts.some((a) => a.settings.name === loc.account) ? loc.account : null;
  const kind = accounts.find((a) => a.settings.name === account)?.settings.kind;
  const buckets = useBucketNames(account).names;
  const errorId = useId();
  const set = (next: Partial<Location>): void => {
    if (!kind || !account) return;
    onChange(formatLocation({ kind, account, bucket: loc?.bucket ?? '', key: loc?.key ?? '', ...next }));
  };
  const bucketOptions = loc?.bucket && !buckets.includes(loc.bucket) ? [loc.bucket, ...buckets] : buckets;
  return (
    <fieldset className="location-field">
      <legend>{label}</legend>
      <div className="location-pickers">
        <ProviderBadge kind={kind} />
        <select
          aria-label={`${label} account`}
          value={account ?? ''}
          onChange={(e) => {
            const a = accounts.find((x) => x.settings.name === e.target.value);
            if (a) onChange(formatLocation({ kind: a.settings.kind, account: a.settings.name, bucket: '', key: '' }));
          }}
        >
          <AccountOptions placeholder="Account…" />
        </select>
        <select aria-label={`${label} bucket`} value={loc?.bucket ?? ''} disabled={!account} onChange={(e) => set({ bucket: e.target.value, key: '' })}>
          <option value="" disabled>
            Bucket…
          </option>
          <Options items={bucketOptions.map((b) => [b, b])} />
        </select>
        <input
          type="text"
          aria-label={`${label} folder`}
          placeholder="folder/ (empty: the whole bucket)"
          value={loc?.key ?? ''}
          disabled={!account || !loc?.bucket}
          onChange={(e) => set({ key: e.target.value })}
        />
        {onRemove && (
          <button type="button" onClick={onRemove} aria-label={`Remove ${label.toLowerCase()}`}>
            Remove
          </button>
        )}
      </div>
      <input
        type="text"
        className="location-uri"
        aria-label={`${label} location`}
        placeholder="s3://account/bucket/folder/ (or paste a location)"
        spellCheck={false}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
