import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { CompareMode } from '../../../../shared/contract';
import { useStore } from '../../store';
import { LocationField } from './LocationField';
import { EMPTY_FORM, fromRequest, toRequest, type FormErrors, type MigrationFormState } from './migrationForm';
import { Options } from '../Options';

const MAX_DESTINATIONS = 8;

const COMPARE_LABEL: Record<CompareMode, string> = {
  size: 'Size only (fastest)',
  'size+checksum': 'Size and checksum (safest)',
  'size+mtime': 'Size and modified time',
};

function Field({ label, error, children, hint }: { label: string; error?: string | undefined; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <span className="hint">{hint}</span>}
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}

function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="checkbox-field">
      <label>
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
    </div>
  );
}

/** Where from, where to, how to compare, what to leave out: then "Build plan", which only reads. */
export function MigrationForm() {
  const draft = useStore((s) => s.migrationDraft);
  const [f, setF] = useState<MigrationFormState>(EMPTY_FORM);
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);

  // A profile opened for editing fills the form once.
  useEffect(() => {
    if (!draft) return;
    setF(fromRequest(draft.request, draft.name));
    setErrors({});
    useStore.getState().setMigrationDraft(null);
  }, [draft]);

  const up = <K extends keyof MigrationFormState>(key: K, value: MigrationFormState[K]): void => setF((prev) => ({ ...prev, [key]: value }));
  const setDest = (i: number, uri: string): void => setF((prev) => ({ ...prev, destinations: prev.destinations.map((d, j) => (j === i ? uri : d)) }));

  const validated = (): ReturnType<typeof toRequest> | null => {
    const out = toRequest(f);
    setErrors(out.errors);
    return Object.keys(out.errors).length === 0 ? out : null;
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const ok = validated();
    if (!ok) return;
    setBusy(true);
    await useStore.getState().createPlan(ok.request, f.name.trim() || undefined);
    setBusy(false);
  };

  const saveProfile = async (): Promise<void> => {
    const ok = validated();
    if (!ok) return;
    if (!f.name.trim()) {
      setErrors({ name: 'Name the migration to save it as a profile.' });
      return;
    }
    await useStore.getState().saveProfile(f.name.trim(), ok.request);
  };

  return (
    <form className="migration-form" aria-label="New migration" onSubmit={(e) => void submit(e)} noValidate>
      <h2>New migration</h2>
      <Field label="Name (to save it as a profile)" error={errors.name}>
        <input type="text" value={f.name} maxLength={100} onChange={(e) => up('name', e.target.value)} />
      </Field>
      <LocationField label="Source" value={f.source} onChange={(v) => up('source', v)} error={errors.source} />
      {f.destinations.map((d, i) => (
        <LocationField
          key={i}
          label={`Destination ${i + 1}`}
          value={d}
          onChange={(v) => setDest(i, v)}
          error={errors[`destination-${i}`]}
          {...(f.destinations.length > 1 ? { onRemove: () => up('destinations', f.destinations.filter((_, j) => j !== i)) } : {})}
        />
      ))}
      <button type="button" disabled={f.destinations.length >= MAX_DESTINATIONS} onClick={() => up('destinations', [...f.destinations, ''])}>
        Add destination
      </button>

      <fieldset className="migration-group">
        <legend>Mode</legend>
        <div className="checkbox-field">
          <label>
            <input type="radio" name="migration-mode" checked={f.mode === 'copy'} onChange={() => up('mode', 'copy')} />
            Copy: add and update only
          </label>
          <label>
            <input type="radio" name="migration-mode" checked={f.mode === 'mirror'} onChange={() => up('mode', 'mirror')} />
            Mirror: also remove what the source lacks
          </label>
        </div>
        <Field label="Compare by">
          <select value={f.compare} onChange={(e) => up('compare', e.target.value as CompareMode)}>
            <Options items={(Object.keys(COMPARE_LABEL) as CompareMode[]).map((c) => [c, COMPARE_LABEL[c]])} />
          </select>
        </Field>
      </fieldset>

      {f.mode === 'mirror' && (
        <fieldset className="migration-group">
          <legend>Deletions</legend>
          <Check label="Remove objects the source does not have" checked={f.deletionsEnabled} onChange={(v) => up('deletionsEnabled', v)} />
          <div className="field-row">
            <Field label="Ask first above this many deletions" error={errors.maxCount}>
              <input type="text" inputMode="numeric" value={f.maxCount} disabled={!f.deletionsEnabled} onChange={(e) => up('maxCount', e.target.value)} />
            </Field>
            <Field label="Ask first above this % of the destination" error={errors.maxPercent}>
              <input type="text" inputMode="decimal" value={f.maxPercent} disabled={!f.deletionsEnabled} onChange={(e) => up('maxPercent', e.target.value)} />
            </Field>
          </div>
          <Field label="Move them to this quarantine folder instead of deleting" hint="Inside each destination, e.g. _quarantine/ (empty: delete)">
            <input type="text" value={f.quarantinePrefix} disabled={!f.deletionsEnabled} onChange={(e) => up('quarantinePrefix', e.target.value)} />
          </Field>
          {f.deletionsEnabled && !f.maxCount.trim() && !f.maxPercent.trim() && <p className="hint">With no limit, the run stops and asks before any deletion.</p>}
        </fieldset>
      )}

      <details className="migration-group">
        <summary>Filters</summary>
        <div className="field-row">
          <Field label="Include (globs, one a line)" hint="* stays in a folder, ** crosses folders">
            <textarea rows={2} value={f.include} onChange={(e) => up('include', e.target.value)} />
          </Field>
          <Field label="Exclude (globs, one a line)">
            <textarea rows={2} value={f.exclude} onChange={(e) => up('exclude', e.target.value)} />
          </Field>
        </div>
        <div className="field-row">
          <Field label="Smallest size" error={errors.minSize}>
            <input type="text" placeholder="e.g. 1 KiB" value={f.minSize} onChange={(e) => up('minSize', e.target.value)} />
          </Field>
          <Field label="Largest size" error={errors.maxSize}>
            <input type="text" placeholder="e.g. 2 GiB" value={f.maxSize} onChange={(e) => up('maxSize', e.target.value)} />
          </Field>
          <Field label="Older than (days)" error={errors.minAgeDays}>
            <input type="text" inputMode="decimal" value={f.minAgeDays} onChange={(e) => up('minAgeDays', e.target.value)} />
          </Field>
          <Field label="Newer than (days)" error={errors.maxAgeDays}>
            <input type="text" inputMode="decimal" value={f.maxAgeDays} onChange={(e) => up('maxAgeDays', e.target.value)} />
          </Field>
        </div>
      </details>

      <details className="migration-group">
        <summary>Options</summary>
        <Check label="Preserve metadata" checked={f.preserveMetadata} onChange={(v) => up('preserveMetadata', v)} />
        <Check label="Copy inside the cloud when possible (server-side)" checked={f.allowServerSide} onChange={(v) => up('allowServerSide', v)} />
        <Check label="Let the destination pull from a signed link when possible" checked={f.allowCloudPull} onChange={(v) => up('allowCloudPull', v)} />
        <Field label="Destination storage class" hint="Empty: the destination's default (e.g. STANDARD_IA, NEARLINE, Cool)">
          <input type="text" value={f.storageClass} maxLength={64} onChange={(e) => up('storageClass', e.target.value)} />
        </Field>
      </details>

      <div className="dialog-buttons">
        <button type="button" onClick={() => void saveProfile()}>
          Save as profile
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Build plan
        </button>
      </div>
      <p className="hint">Building a plan only reads: nothing is written until you press Run.</p>
    </form>
  );
}
