import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AccountSummary, ConnectionTestResult } from '../../../shared/accounts';
import { DEFAULT_LOCAL_ACCOUNT, type ProviderKind } from '../../../shared/location';
import { useStore } from '../store';
import { buildInput, DEFAULTS, splitPastedSasUrl, valuesFromSummary, visibleFields, type FieldDef, type FormValues } from './accountForm';
import { AwsProfilePicker } from './AwsProfilePicker';
import { Dialog } from './Dialog';
import { EntraSignIn } from './EntraSignIn';
import './accounts.css';
import { pricingPlaces } from './costs/cloudPlace';
import { ProviderBadge } from './ProviderBadge';
import { Options } from './Options';

const KINDS: { kind: ProviderKind; label: string }[] = [
  { kind: 's3', label: 'Amazon S3 / S3-compatible' },
  { kind: 'gcs', label: 'Google Cloud Storage' },
  { kind: 'azure', label: 'Azure Blob Storage' },
  { kind: 'local', label: 'Local folder' },
];

function Field({ f, value, error, hasSaved, onChange }: { f: FieldDef; value: string | boolean | undefined; error: string | undefined; hasSaved: boolean; onChange: (v: string | boolean) => void }) {
  const id = `acct-${f.path.replace(/\./g, '-')}`;
  const describedBy = [error ? `${id}-error` : '', f.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': error !== undefined, 'aria-describedby': describedBy };
  const placeholder = f.secret && hasSaved ? 'Saved: leave empty to keep' : undefined;
  let control;
  if (f.type === 'checkbox') {
    return (
      <div className="field checkbox-field">
        <label htmlFor={id}>
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} /> {f.label}
        </label>
      </div>
    );
  } else if (f.type === 'select') {
    control = (
      <select {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)}>
        <Options items={f.options?.map((o) => [o.value, o.label])} />
      </select>
    );
  } else if (f.type === 'textarea') {
    control = <textarea {...common} rows={4} spellCheck={false} placeholder={placeholder} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = (
      <input
        {...common}
        type={f.type === 'password' ? 'password' : 'text'}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{f.label}</label>
      {control}
      {f.hint && <small id={`${id}-hint`} className="hint">{f.hint}</small>}
      {error && <small id={`${id}-error`} className="field-error">{error}</small>}
    </div>
  );
}

type Option = { value: string; label: string };

const AUTOMATIC: Option = { value: '', label: 'Automatic (from the provider, endpoint and region)' };

/** "Priced as": Automatic, then every provider/region of the price catalog (the user's additions included). */
function usePricingOptions(): Option[] {
  const catalog = useStore((s) => s.costCatalog);
  const loadCostCatalog = useStore((s) => s.loadCostCatalog);
  // Without the catalog the choice stays Automatic; the rest of the form still works.
  useEffect(() => void loadCostCatalog(), [loadCostCatalog]);
  return useMemo(() => [AUTOMATIC, ...pricingPlaces(catalog)], [catalog]);
}

function AccountForm({ editing, onDone }: { editing: AccountSummary | null; onDone: () => void }) {
  const testAccount = useStore((s) => s.testAccount);
  const saveAccount = useStore((s) => s.saveAccount);
  const pricingOptions = usePricingOptions();
  const [kind, setKind] = useState<ProviderKind>(editing?.settings.kind ?? 's3');
  const [name, setName] = useState(editing?.settings.name ?? '');
  const [values, setValues] = useState<FormValues>(() => (editing ? valuesFromSummary(editing) : { ...DEFAULTS.s3 }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [test, setTest] = useState<ConnectionTestResult | null>(null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);

  const validate = () => {
    const r = buildInput(kind, name, values, editing !== null, editing ?? undefined);
    setErrors(r.errors ?? {});
    return r.input;
  };

  const runTest = async (): Promise<void> => {
    const input = validate();
    if (!input) return;
    setBusy('test');
    setTest(null);
    // An edit with the secrets left empty tests with the saved ones, which the renderer never sees.
    const req = editing ? { account: input, previousName: editing.settings.name } : { account: input };
    setTest(await testAccount(req));
    setBusy(null);
  };

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const input = validate();
    if (!input) return;
    setBusy('save');
    const failure = await saveAccount(input, editing?.settings.name);
    if (failure === null) onDone();
    else setTest({ ok: false, message: failure });
    setBusy(null);
  };

  return (
    <form className="account-form" onSubmit={(e) => void save(e)} noValidate aria-label={editing ? `Edit ${editing.settings.name}` : 'New account'}>
      <div className="field">
        <label htmlFor="acct-kind">Kind</label>
        <select
          id="acct-kind"
          value={kind}
          disabled={editing !== null}
          onChange={(e) => {
            const k = e.target.value as ProviderKind;
            setKind(k);
            setValues({ ...DEFAULTS[k] });
            setErrors({});
            setTest(null);
          }}
        >
          <Options items={KINDS.map((k) => [k.kind, k.label])} />
        </select>
      </div>
      <Field f={{ path: 'name', label: 'Account name', hint: 'Used in locations such as s3://name/bucket/key' }} value={name} error={errors['name']} hasSaved={false} onChange={(v) => setName(String(v))} />
      {visibleFields(kind, values).map((f) =>
        kind === 's3' && f.path === 'profile' ? (
          <AwsProfilePicker key={f.path} value={String(values[f.path] ?? '')} error={errors[f.path]} onChange={(v) => setValues((old) => ({ ...old, [f.path]: v }))} />
        ) : (
          <Field key={f.path} f={f.optionsFrom === 'pricing' ? { ...f, options: pricingOptions } : f} value={values[f.path]} error={errors[f.path]} hasSaved={editing?.hasSecrets ?? false} onChange={(v) => setValues((old) => splitPastedSasUrl(kind, { ...old, [f.path]: v }))} />
        ),
      )}
      {kind === 'azure' && values['auth'] === 'entra' && <EntraSignIn values={values} onChange={(patch) => setValues((old) => ({ ...old, ...patch }))} />}
      {Object.keys(errors).length > 0 && (
        <p className="field-error" role="alert">Check the highlighted fields.</p>
      )}
      {/* The result sits in the sticky footer beside the button that asked, so it is in view however long the form. */}
      <div className="dialog-buttons account-actions">
        {test && (
          <p className={test.ok ? 'test-result ok' : 'test-result fail'} role={test.ok ? 'status' : 'alert'} data-testid="account-test-result">
            {test.ok ? '✓ ' : '✗ '}
            {test.message}
          </p>
        )}
        <button type="button" onClick={() => void runTest()} disabled={busy !== null}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function AccountsDialog() {
  const accounts = useStore((s) => s.accounts);
  const close = useStore((s) => s.closeDialog);
  const removeAccount = useStore((s) => s.removeAccount);
  const [editing, setEditing] = useState<AccountSummary | null>(null);
  const [formKey, setFormKey] = useState(0);

  const remove = async (a: AccountSummary): Promise<void> => {
    if (!window.confirm(`Remove the account ${a.settings.name}? Its saved secrets are deleted; nothing in the cloud changes.`)) return;
    if ((await removeAccount(a.settings.name)) && editing?.settings.name === a.settings.name) setEditing(null);
  };

  return (
    <Dialog title="Accounts" onClose={close} wide>
      <div className="accounts-layout">
        <div className="accounts-list">
          <ul aria-label="Saved accounts">
            {accounts.map((a) => (
              <li key={a.settings.name} className={editing?.settings.name === a.settings.name ? 'current' : ''}>
                <ProviderBadge kind={a.settings.kind} />
                <span className="account-name" title={a.settings.name}>{a.settings.name}</span>
                {a.settings.name === DEFAULT_LOCAL_ACCOUNT ? (
                  <span className="muted">built in</span>
                ) : (
                  <>
                    <button type="button" onClick={() => { setEditing(a); setFormKey((k) => k + 1); }} aria-label={`Edit ${a.settings.name}`}>
                      Edit
                    </button>
                    <button type="button" className="danger-link" onClick={() => void remove(a)} aria-label={`Remove ${a.settings.name}`}>
                      Remove
                    </button>
                  </>
                )}
              </li>
            ))}
            {accounts.length === 0 && <li className="muted">No accounts yet.</li>}
          </ul>
          <button type="button" onClick={() => { setEditing(null); setFormKey((k) => k + 1); }}>
            + New account
          </button>
        </div>
        <AccountForm key={formKey} editing={editing} onDone={() => { setEditing(null); setFormKey((k) => k + 1); }} />
      </div>
    </Dialog>
  );
}
