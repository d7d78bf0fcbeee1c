import type { CloudTransfer } from '../../../shared/contract/cloud-transfer.channels';
import { formatCount, formatDuration, formatSize } from '../format';
import { useStore } from '../store';
import { cloudTransferRow } from '../store/cloudTransfers.slice';

/**
 * A cloud transfer as a row of the Transfers panel (and of its plan): the service's state, objects and bytes done of
 * the total it counted, speed, errors, and the controls the service has.
 */
export function CloudTransferRow({ t }: { t: CloudTransfer }) {
  const { refreshCloudTransfer, pauseCloudTransfer, resumeCloudTransfer, cancelCloudTransfer, removeCloudTransfer } = useStore.getState();
  const row = cloudTransferRow(t);
  const state = t.removed ? 'removed' : (t.progress?.state ?? 'queued');
  return (
    <li className={`job job-${state} cloud-transfer`} data-testid="cloud-transfer">
      <div className="job-head">
        <span className="job-title" title={row.title}>
          {row.title}
        </span>
        <span className="job-state">{row.stateText}</span>
      </div>
      <progress max={100} {...(row.percent === null ? {} : { value: row.percent })} aria-label={`Progress of ${row.title}`} />
      <div className="job-figures">
        <span>
          {formatCount(row.objectsDone)}
          {row.objectsTotal === undefined ? '' : ` / ${formatCount(row.objectsTotal)}`} objects · {formatSize(row.bytesDone)}
          {row.bytesTotal === undefined ? '' : ` / ${formatSize(row.bytesTotal)}`}
          {row.objectsFailed > 0 ? ` · ${formatCount(row.objectsFailed)} failed` : ''}
        </span>
        {row.bytesPerSecond > 0 && (
          <span>
            {formatSize(row.bytesPerSecond)}/s{row.etaSeconds === null ? '' : ` · ${formatDuration(row.etaSeconds)} left`}
          </span>
        )}
        <span className="muted">in the cloud</span>
      </div>
      {row.errors.map((e) => (
        <p key={e} className="field-error">
          {e}
        </p>
      ))}
      <div className="job-buttons">
        {row.live && (
          <button type="button" onClick={() => void refreshCloudTransfer(t.id)} aria-label={`Refresh ${row.title}`}>
            Refresh
          </button>
        )}
        {row.canPause && (
          <button type="button" onClick={() => void pauseCloudTransfer(t.id)} aria-label={`Pause ${row.title}`}>
            Pause
          </button>
        )}
        {row.canResume && (
          <button type="button" onClick={() => void resumeCloudTransfer(t.id)} aria-label={`Resume ${row.title}`}>
            Resume
          </button>
        )}
        {row.canCancel && (
          <button type="button" onClick={() => void cancelCloudTransfer(t.id)} aria-label={`Cancel ${row.title}`}>
            Cancel
          </button>
        )}
        {row.canRemove && (
          <button type="button" title={t.created.map((c) => c.description).join('\n')} onClick={() => void removeCloudTransfer(t.id)} aria-label={`Remove what was created for ${row.title}`}>
            Remove what was created ({t.created.length})
          </button>
        )}
      </div>
    </li>
  );
}
