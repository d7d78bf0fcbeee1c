import { useState, type FormEvent } from 'react';
import type { ObjectEntry, MetadataPatch } from '../../../shared/model';
import { formatCount, formatSize } from '../format';
import { headerValueProblem, metadataNameProblem, metadataValueProblem } from '../metadata-rules';
import { useStore, type PaneId } from '../store';

const FIELDS = [
  { field: 'contentType', label: 'Content type' },
  { field: 'cacheControl', label: 'Cache control' },
  { field: 'contentDisposition', label: 'Content disposition' },
  { field: 'contentLanguage', label: 'Content language' },
] as const;
type Field = (typeof FIELDS)[number]['field'];

/** The common value of a field over `entries`, or undefined when they differ (or none has one). */
function common(values: (string | undefined)[]): string | undefined {
  const first = values[0];
  return values.every((v) => v === first) ? first : undefined;
}

/**
 * Details of several selected objects: how many, their total size and storage classes, and one metadata change
 * for all of them, run as a job (each object changed on its own, each failure reported in Transfers).
 */
export function SelectionSummary({ pane, entries }: { pane: PaneId; entries: ObjectEntry[] }) {
  const account = useStore((s) => s.panes[pane].account);
  const kind = useStore((s) => s.accounts.find((a) => a.settings.name === account)?.settings.kind);
  const features = useStore((s) => (account ? s.features[account] : undefined));
  const files = entries.filter((e) => !e.isPrefix);
  const folders = entries.length - files.length;
  const bytes = files.reduce((n, e) => n + e.size, 0);
  const classes = new Map<string, number>();
  for (const f of files) classes.set(f.storageClass ?? 'Default', (classes.get(f.storageClass ?? 'Default') ?? 0) + 1);
  const sharedType = common(files.map((f) => f.contentType));

  const [values, setValues] = useState<Record<Field, string>>({ contentType: '', cacheControl: '', contentDisposition: '', contentLanguage: '' });
  const [pair, setPair] = useState({ name: '', value: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const editable = (features?.setMetadata ?? false) && files.length > 0;

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const patch: MetadataPatch = {};
    for (const { field } of FIELDS) {
      const v = values[field].trim();
      if (!v) continue;
      const problem = headerValueProblem(field, v, kind);
      if (problem) errs[field] = problem;
      else patch[field] = v;
    }
    const name = pair.name.trim();
    if (name || pair.value) {
      const nameProblem = metadataNameProblem(name, kind, features?.metadataNamesIdentifiersOnly ?? false);
      const valueProblem = metadataValueProblem(pair.value, kind);
      if (nameProblem) errs['name'] = nameProblem;
      if (valueProblem) errs['value'] = valueProblem;
      if (!nameProblem && !valueProblem) patch.userMetadata = { [name]: pair.value };
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (Object.keys(patch).length === 0) {
      setResult({ ok: false, text: 'Fill in at least one field to change.' });
      return;
    }
    const st = useStore.getState();
    const sources = files.map((f) => st.uriOf(pane, f.key)).filter((u): u is string => u !== null);
    setBusy(true);
    setResult(null);
    const id = await st.startJob({ kind: 'set-metadata', sources, options: { metadata: patch } });
    setResult(id ? { ok: true, text: `Changing the metadata of ${formatCount(sources.length)} objects: see Transfers.` } : { ok: false, text: 'The change did not start.' });
    setBusy(false);
  };

  const input = (id: string, label: string, value: string, set: (v: string) => void, placeholder?: string) => (
    <label className="field" key={id}>
      <span>{label}</span>
      <input value={value} placeholder={placeholder} onChange={(e) => set(e.target.value)} spellCheck={false} aria-invalid={errors[id] !== undefined} aria-describedby={errors[id] ? `bulk-${id}-error` : undefined} />
      {errors[id] && (
        <small id={`bulk-${id}-error`} className="field-error">
          {errors[id]}
        </small>
      )}
    </label>
  );

  return (
    <aside className="metadata-panel" aria-label="Selection details">
      <h2>{formatCount(entries.length)} selected</h2>
      <dl className="meta-list" data-testid="selection-summary">
        <dt>Objects</dt>
        <dd>{formatCount(files.length)}</dd>
        {folders > 0 && (
          <>
            <dt>Folders</dt>
            <dd>{formatCount(folders)} (not counted in the size)</dd>
          </>
        )}
        <dt>Total size</dt>
        <dd>{formatSize(bytes)}</dd>
        <dt>Classes</dt>
        <dd>{[...classes].map(([c, n]) => `${c} (${formatCount(n)})`).join(', ') || '—'}</dd>
        {sharedType && (
          <>
            <dt>Content type</dt>
            <dd>{sharedType}</dd>
          </>
        )}
      </dl>
      <form onSubmit={(e) => void save(e)} noValidate className="meta-form">
        <fieldset disabled={!editable || busy}>
          <legend>{editable ? `Change all ${formatCount(files.length)} objects` : 'This provider does not allow editing metadata'}</legend>
          <p className="hint">Empty fields are left as they are on each object.</p>
          {FIELDS.map(({ field, label }) => input(field, label, values[field], (v) => setValues((old) => ({ ...old, [field]: v }))))}
          <div className="user-meta" role="group" aria-label="Add user metadata">
            <span className="group-label">Add user metadata (other names are kept)</span>
            {input('name', 'Name', pair.name, (v) => setPair((p) => ({ ...p, name: v })))}
            {input('value', 'Value', pair.value, (v) => setPair((p) => ({ ...p, value: v })))}
          </div>
          <button type="submit" className="primary">
            {busy ? 'Starting…' : `Apply to ${formatCount(files.length)} objects`}
          </button>
        </fieldset>
        {result && (
          <p className={result.ok ? 'test-result ok' : 'test-result fail'} role={result.ok ? 'status' : 'alert'}>
            {result.text}
          </p>
        )}
      </form>
    </aside>
  );
}
