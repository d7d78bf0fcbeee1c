import { useEffect, useState } from 'react';
import type { CreatePreview, MigrationSummary, TransferRoute } from '../../../../shared/contract';
import { useStore } from '../../store';
import { isActiveCloudTransfer } from '../../store/cloudTransfers.slice';
import { CloudTransferRow } from '../CloudTransferRow';
import { formatUsd } from '../costs/money';

/** One destination of a planned migration: the route, and the service's job when a service can carry it. */
function CloudPair({ m, dest }: { m: MigrationSummary; dest: number }) {
  const d = m.destinations[dest];
  const cloudRoute = useStore((s) => s.cloudRoute);
  const previewCloudTransfer = useStore((s) => s.previewCloudTransfer);
  const createCloudTransfer = useStore((s) => s.createCloudTransfer);
  const running = useStore((s) => s.cloudTransfers.some((t) => t.migrationId === m.id && t.destination === d?.uri && isActiveCloudTransfer(t)));
  const [route, setRoute] = useState<TransferRoute | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [account, setAccount] = useState('');
  const [roleArn, setRoleArn] = useState('');
  const [hmacId, setHmacId] = useState('');
  const [hmacSecret, setHmacSecret] = useState('');
  const [azure, setAzure] = useState({ subscriptionId: '', resourceGroup: '', storageMover: '', multiCloudConnectorId: '', awsS3BucketId: '' });
  const [preview, setPreview] = useState<CreatePreview | null>(null);
  const bytes = d ? d.new.bytes + d.changed.bytes : 0;
  const base = d ? { source: m.request.source, destination: d.uri, mode: m.request.mode, deletionsEnabled: m.request.deletions.enabled, filters: m.request.filters, bytes } : null;

  useEffect(() => {
    if (!base) return;
    void cloudRoute(base).then((r) => (r.ok ? setRoute(r.value) : setError(r.error)));
    // Asked once per plan and destination: the plan's request does not change while it is shown.
  }, [m.id, dest]);

  if (!d || !base) return null;
  if (error) return <p className="field-error">{error}</p>;
  if (!route) return null;
  if (route.engine === 'skyferry' || route.engine === 'azure-cloud-pull') {
    return (
      <p data-testid="cloud-route">
        {d.uri}: {route.engineName}. {route.reason}.
      </p>
    );
  }
  if (running) {
    return (
      <p data-testid="cloud-route">
        {d.uri}: {route.engineName} is copying it; it shows in Transfers, and the plan is verified and reported once the run ends.
      </p>
    );
  }
  const fromGcs = route.engine === 'aws-datasync' && m.request.source.startsWith('gs://');
  const isMover = route.engine === 'azure-storage-mover';
  const connection = isMover ? { account, ...(azure.subscriptionId ? { subscriptionId: azure.subscriptionId } : {}), ...(azure.resourceGroup ? { resourceGroup: azure.resourceGroup } : {}), ...(azure.storageMover ? { storageMover: azure.storageMover } : {}) } : { account };
  const mover = isMover && azure.multiCloudConnectorId && azure.awsS3BucketId ? { mover: { multiCloudConnectorId: azure.multiCloudConnectorId, awsS3BucketId: azure.awsS3BucketId } } : {};
  const request = { ...base, connection, ...mover, acceptUnmapped: true, ...(roleArn ? { roleArn } : {}), ...(fromGcs && hmacId && hmacSecret ? { hmac: { accessId: hmacId, secret: hmacSecret } } : {}), migrationId: m.id };
  return (
    <div className="cloud-pair" data-testid="cloud-route">
      <h4>Run in the cloud: {route.engineName}</h4>
      <p>{route.reason}.</p>
      <p>
        Cost: the service’s fee {formatUsd(route.fee.usd)}
        {route.fee.complete ? '' : ' plus a fee that could not be confirmed'} + the plan’s request and egress estimate {d.estimate ? formatUsd(d.estimate.totalUsd) : '(not estimated)'}.
      </p>
      {route.filters.some((f) => f.unmapped) && (
        <ul aria-label="Filters the service cannot apply">
          {route.filters.filter((f) => f.unmapped).map((f) => (
            <li key={f.filter}>
              {f.filter}: {f.unmapped}
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>What it needs</summary>
        <ol>
          {route.requirements.map((q) => (
            <li key={q.text}>
              {q.text}
              {q.command && <pre>{q.command}</pre>}
            </li>
          ))}
        </ol>
      </details>
      <label>
        Account that drives the service <input value={account} onChange={(e) => setAccount(e.target.value)} placeholder="account name" />
      </label>
      {route.engine === 'aws-datasync' && (
        <label>
          Role DataSync assumes <input value={roleArn} onChange={(e) => setRoleArn(e.target.value)} placeholder="arn:aws:iam::…:role/…" />
        </label>
      )}
      {isMover &&
        (
          [
            ['subscriptionId', 'Azure subscription ID'],
            ['resourceGroup', 'Resource group of the storage mover'],
            ['storageMover', 'Storage mover'],
            ['multiCloudConnectorId', 'Multicloud connector (resource id)'],
            ['awsS3BucketId', 'The connector’s S3 bucket (resource id)'],
          ] as const
        ).map(([key, label]) => (
          <label key={key}>
            {label} <input value={azure[key]} onChange={(e) => setAzure({ ...azure, [key]: e.target.value })} autoComplete="off" />
          </label>
        ))}
      {fromGcs && (
        <>
          <label>
            HMAC access ID (reads the Google Cloud Storage source) <input value={hmacId} onChange={(e) => setHmacId(e.target.value)} autoComplete="off" />
          </label>
          <label>
            HMAC secret <input type="password" value={hmacSecret} onChange={(e) => setHmacSecret(e.target.value)} autoComplete="off" />
          </label>
        </>
      )}
      {!preview ? (
        <button type="button" disabled={!account} onClick={() => void previewCloudTransfer(request).then((r) => (r.ok ? setPreview(r.value) : setError(r.error)))}>
          Review what will be created
        </button>
      ) : (
        <div role="dialog" aria-label="Confirm what will be created">
          {preview.blocked ? (
            <p className="field-error">{preview.blocked}</p>
          ) : (
            <>
              <p>Skyferry will create, in your cloud:</p>
              <ul>
                {preview.creates.map((c) => (
                  <li key={c.description}>{c.description}</li>
                ))}
              </ul>
              <p>The roles and keys listed under “What it needs” must be in place first. Nothing is created until you confirm.</p>
              <button type="button" onClick={() => void createCloudTransfer(request).then((r) => (r.ok ? setPreview(null) : setError(r.error)))}>
                Create and start
              </button>
            </>
          )}
          <button type="button" onClick={() => setPreview(null)}>
            Back
          </button>
        </div>
      )}
    </div>
  );
}

/** "Run in the cloud" for a planned migration, and the cloud transfers started from it. */
export function RunInCloud({ m }: { m: MigrationSummary }) {
  const transfers = useStore((s) => s.cloudTransfers);
  const load = useStore((s) => s.loadCloudTransfers);
  useEffect(() => {
    void load();
  }, [load]);
  const mine = transfers.filter((t) => t.migrationId === m.id);
  return (
    <section aria-label="Run in the cloud">
      {m.destinations.map((d, i) => (
        <CloudPair key={d.uri} m={m} dest={i} />
      ))}
      {mine.length > 0 && (
        <ul aria-label="Cloud transfers of this migration">
          {mine.map((t) => (
            <CloudTransferRow key={t.id} t={t} />
          ))}
        </ul>
      )}
    </section>
  );
}
