import { useEffect, useState, type FormEvent } from 'react';
import type { MetadataPatch, ObjectMetadata } from '../../../shared/model';
import { formatDate, formatSize } from '../format';
import { headerValueProblem, metadataNameProblem, metadataValueProblem } from '../metadata-rules';
import { useShallow } from 'zustand/react/shallow';
import type { ObjectEntry } from '../../../shared/model';
import { useStore } from '../store';
import { SelectionSummary } from './SelectionSummary';
import { Options } from './Options';
import { FolderVersions, VersionsPanel } from './VersionsPanel';

const EDITABLE = [
  { field: 'contentType', label: 'Content type' },
  { field: 'cacheControl', label: 'Cache control' },
  { field: 'contentDisposition', label: 'Content disposition' },
  { field: 'contentEncoding', label: 'Content encoding' },
  { field: 'contentLanguage', label: 'Content language' },
] as const;
type EditableField = (typeof EDITABLE)[number]['field'];

type Pair = { name: string; value: string };

function Editor({ uri, meta }: { uri: string; meta: ObjectMetadata }) {
  const account = useStore((s) => s.panes[s.activePane].account);
  const features = useStore((s) => (account ? s.features[account] : undefined));
  const kind = useStore((s) => s.accounts.find((a) => a.settings.name === account)?.settings.kind);
  const saveMetadata = useStore((s) => s.saveMetadata);
  const [fields, setFields] = useState<Record<EditableField, string>>(() => ({
    contentType: meta.contentType ?? '',
    cacheControl: meta.cacheControl ?? '',
    contentDisposition: meta.contentDisposition ?? '',
    contentEncoding: meta.contentEncoding ?? '',
    contentLanguage: meta.contentLanguage ?? '',
  }));
  const [storageClass, setStorageClass] = useState(meta.storageClass ?? '');
  const [pairs, setPairs] = useState<Pair[]>(() => Object.entries(meta.userMetadata).map(([name, value]) => ({ name, value })));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const editable = features?.setMetadata ?? false;

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const user: Record<string, string> = {};
    const seen = new Set<string>();
    // Checked here, with the provider's rules, so that a bad name is explained beside its field instead of coming
    // back as the SDK's raw header error.
    for (const { field } of EDITABLE) {
      const problem = headerValueProblem(field, fields[field], kind);
      if (problem) errs[field] = problem;
    }
    pairs.forEach((p, i) => {
      const n = p.name.trim();
      if (!n && !p.value) return;
      const nameProblem = metadataNameProblem(n, kind, features?.metadataNamesIdentifiersOnly ?? false);
      const valueProblem = metadataValueProblem(p.value, kind);
      if (valueProblem) errs[`value-${i}`] = valueProblem;
      if (nameProblem) errs[`name-${i}`] = nameProblem;
      else if (seen.has(n.toLowerCase())) errs[`name-${i}`] = 'This name is used twice.';
      else {
        seen.add(n.toLowerCase());
        user[n] = p.value;
      }
    });
    const bytes = Object.entries(user).reduce((s, [k, v]) => s + new TextEncoder().encode(k + v).length, 0);
    if (features?.maxUserMetadataBytes && bytes > features.maxUserMetadataBytes)
      errs['user'] = `User metadata is ${bytes} bytes; this provider holds at most ${features.maxUserMetadataBytes}.`;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const patch: MetadataPatch = { userMetadata: user };
    for (const { field } of EDITABLE) if (fields[field] !== (meta[field] ?? '')) patch[field] = fields[field];
    if (storageClass && storageClass !== (meta.storageClass ?? '')) patch.storageClass = storageClass;
    setBusy(true);
    setResult(null);
    const failure = await saveMetadata(uri, patch);
    setResult(failure === null ? { ok: true, text: 'Metadata saved.' } : { ok: false, text: `Not saved: ${failure}` });
    setBusy(false);
  };

  return (
    <form onSubmit={(e) => void save(e)} noValidate className="meta-form">
      <fieldset disabled={!editable || busy}>
        <legend>{editable ? 'Edit' : 'This provider does not allow editing metadata'}</legend>
        {EDITABLE.map(({ field, label }) => (
          <label className="field" key={field}>
            <span>{label}</span>
            <input
              value={fields[field]}
              onChange={(e) => setFields((f) => ({ ...f, [field]: e.target.value }))}
              spellCheck={false}
              aria-invalid={errors[field] !== undefined}
              aria-describedby={errors[field] ? `meta-${field}-error` : undefined}
            />
            {errors[field] && (
              <small id={`meta-${field}-error`} className="field-error">
                {errors[field]}
              </small>
            )}
          </label>
        ))}
        {features && features.storageClasses.length > 0 && (
          <label className="field">
            <span>Storage class</span>
            <select value={storageClass} onChange={(e) => setStorageClass(e.target.value)}>
              {!features.storageClasses.includes(storageClass) && <option value={storageClass}>{storageClass || '(default)'}</option>}
              <Options items={features.storageClasses.map((c) => [c, c])} />
            </select>
          </label>
        )}
        <div className="user-meta" role="group" aria-label="User metadata">
          <span className="group-label">User metadata</span>
          {pairs.map((p, i) => (
            <div className="pair" key={i}>
              <input
                aria-label={`Metadata name ${i + 1}`}
                value={p.name}
                aria-invalid={errors[`name-${i}`] !== undefined}
                aria-describedby={errors[`name-${i}`] ? `meta-name-${i}-error` : undefined}
                onChange={(e) => setPairs((ps) => ps.map((q, j) => (j === i ? { ...q, name: e.target.value } : q)))}
                spellCheck={false}
              />
              <input
                aria-label={`Metadata value ${i + 1}`}
                value={p.value}
                aria-invalid={errors[`value-${i}`] !== undefined}
                aria-describedby={errors[`value-${i}`] ? `meta-value-${i}-error` : undefined}
                onChange={(e) => setPairs((ps) => ps.map((q, j) => (j === i ? { ...q, value: e.target.value } : q)))}
                spellCheck={false}
              />
              <button type="button" className="icon-button" aria-label={`Remove metadata ${p.name || i + 1}`} onClick={() => setPairs((ps) => ps.filter((_, j) => j !== i))}>
                ×
              </button>
              {errors[`name-${i}`] && (
                <small id={`meta-name-${i}-error`} className="field-error">
                  {errors[`name-${i}`]}
                </small>
              )}
              {errors[`value-${i}`] && (
                <small id={`meta-value-${i}-error`} className="field-error">
                  {errors[`value-${i}`]}
                </small>
              )}
            </div>
          ))}
          {errors['user'] && <small className="field-error">{errors['user']}</small>}
          <button type="button" onClick={() => setPairs((ps) => [...ps, { name: '', value: '' }])}>
            + Add metadata
          </button>
        </div>
        <button type="submit" className="primary">{busy ? 'Saving…' : 'Save metadata'}</button>
      </fieldset>
      {result && (
        <p className={result.ok ? 'test-result ok' : 'test-result fail'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
    </form>
  );
}

function Row({ label, value }: { label: string; value: string | undefined }) {
  if (!value) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd title={value}>{value}</dd>
    </>
  );
}

const NONE: ObjectEntry[] = [];

/**
 * Details of the focused object in the active pane (fetched with objects:stat when the focus rests on it); with
 * several selected, a summary of them and one metadata change for all.
 */
export function MetadataPanel() {
  const pane = useStore((s) => s.activePane);
  const several = useStore(
    useShallow((s) => {
      const sel = s.selection[s.activePane].selected;
      return sel.size > 1 && s.panes[s.activePane].bucket !== '' ? s.panes[s.activePane].entries.filter((e) => sel.has(e.key)) : NONE;
    }),
  );
  return several.length > 1 ? <SelectionSummary key={several.map((e) => e.key).join('\n')} pane={pane} entries={several} /> : <OneObject />;
}

function OneObject() {
  const pane = useStore((s) => s.activePane);
  const focus = useStore((s) => s.selection[s.activePane].focus);
  const entry = useStore((s) => (focus === null ? undefined : s.panes[s.activePane].entries.find((e) => e.key === focus && !e.isPrefix)));
  const inBucket = useStore((s) => s.panes[s.activePane].bucket !== '');
  const uri = useStore((s) => (entry && inBucket ? s.uriOf(pane, entry.key) : null));
  const details = useStore((s) => s.objectDetails);
  const statObject = useStore((s) => s.statObject);

  useEffect(() => {
    if (!uri) return undefined;
    const abandon = new AbortController();
    // Arrowing through a long list should not fire a stat per row.
    const t = window.setTimeout(() => void statObject(uri, abandon.signal), 150);
    return () => {
      window.clearTimeout(t);
      abandon.abort();
    };
  }, [uri, statObject]);

  if (!uri) {
    return (
      <aside className="metadata-panel" aria-label="Object details">
        <p className="muted">Select an object to see its details.</p>
        <FolderVersions />
      </aside>
    );
  }
  const m = details?.uri === uri ? details.meta : null;
  const error = details?.uri === uri ? details.error : null;
  const checksums = m ? Object.entries(m.checksums).filter(([, v]) => v) : [];
  return (
    <aside className="metadata-panel" aria-label="Object details">
      <h2 title={entry?.key}>{entry?.name}</h2>
      {error && <p className="field-error" role="alert">{error}</p>}
      {!m && !error && <p className="muted">Loading…</p>}
      {m && (
        <>
          <dl className="meta-list">
            <Row label="Location" value={uri} />
            <Row label="Size" value={`${formatSize(m.size)} (${m.size.toLocaleString()} bytes)`} />
            <Row label="Modified" value={formatDate(m.modified)} />
            <Row label="ETag" value={m.etag} />
            <Row label="Version" value={m.version} />
            {checksums.map(([k, v]) => (
              <Row key={k} label={k.toUpperCase()} value={v} />
            ))}
            <Row label="Content type" value={m.contentType} />
            <Row label="Cache control" value={m.cacheControl} />
            <Row label="Content disposition" value={m.contentDisposition} />
            <Row label="Storage class" value={m.storageClass} />
            {Object.entries(m.userMetadata).map(([k, v]) => (
              <Row key={`u-${k}`} label={k} value={v} />
            ))}
          </dl>
          <VersionsPanel uri={uri} name={entry?.name ?? ''} />
          <Editor key={uri} uri={uri} meta={m} />
        </>
      )}
      <FolderVersions />
    </aside>
  );
}
