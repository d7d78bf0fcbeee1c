import type { ProviderKind } from '../../../shared/location';
import './badge.css';

const LABEL: Record<ProviderKind, { short: string; long: string }> = {
  s3: { short: 'S3', long: 'Amazon S3 or compatible' },
  gcs: { short: 'GCS', long: 'Google Cloud Storage' },
  azure: { short: 'Az', long: 'Azure Blob Storage' },
  local: { short: 'Disk', long: 'Local folder' },
};

/** The provider's mark beside an account: a coloured tag, so it reads in both themes and at any zoom. */
export function ProviderBadge({ kind }: { kind: ProviderKind | undefined }) {
  if (!kind) return <span className="badge badge-none" aria-hidden="true" />;
  const l = LABEL[kind];
  return (
    <span className={`badge badge-${kind}`} title={l.long}>
      <span aria-hidden="true">{l.short}</span>
      <span className="visually-hidden">{l.long}</span>
    </span>
  );
}
