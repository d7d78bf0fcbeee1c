import type { AccountInput, AccountSummary } from '../../../shared/accounts';
import { AccountInputSchema, AccountSettingsSchema, secretsDestination, secretsNeededAgain } from '../../../shared/accounts';
import type { ProviderKind } from '../../../shared/location';

/** The account dialog's fields, flat, as the inputs hold them. */
export type FormValues = Record<string, string | boolean>;

export interface FieldDef {
  /** The path in AccountInput, e.g. `endpoint` or `secrets.accessKeyId`: zod issues map back to it. */
  path: string;
  label: string;
  type?: 'text' | 'password' | 'checkbox' | 'textarea' | 'select';
  options?: { value: string; label: string }[];
  hint?: string;
  secret?: boolean;
  /** Shown only when another field has a value. */
  when?: { path: string; equals: string };
  /** Options the dialog fills at run time ('pricing': the price catalog's providers and regions). */
  optionsFrom?: 'pricing';
}

const PRICING_FIELD: FieldDef = {
  path: 'pricing',
  label: 'Priced as',
  type: 'select',
  optionsFrom: 'pricing',
  hint: 'The prices (Costs > Price catalog) used for this account\'s estimates and scans',
};

/** S3 and GCS sign-in without a saved key (AWS profiles, the environment, Google's ADC); the keys' fields show for keys only. */
const KEYS = { path: 'auth', equals: 'keys' };
const KEY_FILE = { path: 'auth', equals: 'key' };
const ADC = { path: 'auth', equals: 'adc' };
const AWS_SIGN_IN: FieldDef = {
  path: 'auth',
  label: 'Sign in with',
  type: 'select',
  options: [
    { value: 'keys', label: 'Access key (saved in Skyferry)' },
    { value: 'profile', label: 'AWS profile (~/.aws/config)' },
    { value: 'environment', label: 'Environment / instance role' },
  ],
  hint: 'A profile or the environment keeps the keys with AWS\'s own tools: Skyferry saves only which one to use',
};
const GCP_SIGN_IN: FieldDef = {
  path: 'auth',
  label: 'Sign in with',
  type: 'select',
  options: [
    { value: 'key', label: 'Service-account key (saved in Skyferry)' },
    { value: 'adc', label: 'Application default credentials (gcloud)' },
  ],
};

export const FIELDS: Record<ProviderKind, FieldDef[]> = {
  s3: [
    AWS_SIGN_IN,
    { path: 'profile', label: 'AWS profile', when: { path: 'auth', equals: 'profile' } },
    { path: 'region', label: 'Region', hint: 'e.g. us-east-1' },
    { path: 'endpoint', label: 'Endpoint URL', hint: 'Leave empty for AWS; e.g. http://127.0.0.1:9000 for MinIO' },
    { path: 'forcePathStyle', label: 'Path-style addressing (MinIO and most S3-compatible stores)', type: 'checkbox' },
    {
      path: 'checksumMode',
      label: 'Checksums',
      type: 'select',
      options: [
        { value: 'when_supported', label: 'Always send (AWS)' },
        { value: 'when_required', label: 'Only when required (S3-compatible stores)' },
      ],
    },
    { path: 'bucket', label: 'Only this bucket (optional)', hint: 'For keys that cannot list buckets' },
    { path: 'secrets.accessKeyId', label: 'Access key ID', secret: true, when: KEYS },
    { path: 'secrets.secretAccessKey', label: 'Secret access key', type: 'password', secret: true, when: KEYS },
    { path: 'secrets.sessionToken', label: 'Session token (optional)', type: 'password', secret: true, when: KEYS },
    PRICING_FIELD,
  ],
  gcs: [
    GCP_SIGN_IN,
    { path: 'projectId', label: 'Project ID (optional)' },
    { path: 'credentialsFile', label: 'Credentials file (optional)', when: ADC, hint: 'Empty: GOOGLE_APPLICATION_CREDENTIALS, else the file "gcloud auth application-default login" writes. Or a workload identity federation or impersonation file' },
    { path: 'endpoint', label: 'Endpoint URL (optional)', hint: 'e.g. http://127.0.0.1:4443 for an emulator' },
    { path: 'authenticateEndpoint', label: 'Send the key to this endpoint (a private Google endpoint; off for emulators)', type: 'checkbox', when: KEY_FILE },
    { path: 'bucket', label: 'Only this bucket (optional)' },
    { path: 'secrets.serviceAccountJson', label: 'Service-account key (JSON)', type: 'textarea', secret: true, when: KEY_FILE, hint: 'Paste the key file; leave empty for an emulator' },
    PRICING_FIELD,
  ],
  azure: [
    {
      path: 'auth',
      label: 'Sign in with',
      type: 'select',
      options: [
        { value: 'sharedKey', label: 'Account name and key' },
        { value: 'connectionString', label: 'Connection string' },
        { value: 'sas', label: 'SAS token' },
        { value: 'entra', label: 'Microsoft Entra ID (sign in)' },
      ],
    },
    { path: 'accountName', label: 'Storage account name', when: { path: 'auth', equals: 'sharedKey' } },
    { path: 'endpoint', label: 'Blob service URL', hint: 'e.g. https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1' },
    { path: 'container', label: 'Only this container (optional)' },
    { path: 'secrets.accountKey', label: 'Account key', type: 'password', secret: true, when: { path: 'auth', equals: 'sharedKey' } },
    { path: 'secrets.connectionString', label: 'Connection string', type: 'password', secret: true, when: { path: 'auth', equals: 'connectionString' } },
    { path: 'secrets.sasToken', label: 'SAS token', type: 'password', secret: true, when: { path: 'auth', equals: 'sas' } },
    PRICING_FIELD,
  ],
  local: [{ path: 'root', label: 'Folder', hint: 'A full path; its sub-folders show as buckets' }],
};

export const DEFAULTS: Record<ProviderKind, FormValues> = {
  s3: { auth: 'keys', region: 'us-east-1', checksumMode: 'when_supported', forcePathStyle: false },
  gcs: { auth: 'key' },
  azure: { auth: 'sharedKey' },
  local: {},
};

export function visibleFields(kind: ProviderKind, values: FormValues): FieldDef[] {
  const v = withSignIn(kind, values);
  return FIELDS[kind].filter((f) => !f.when || v[f.when.path] === f.when.equals);
}

/** Values without a sign-in choice (an account saved before there was one) sign in with the saved key. */
function withSignIn(kind: ProviderKind, values: FormValues): FormValues {
  const auth = DEFAULTS[kind]['auth'];
  return auth !== undefined && values['auth'] === undefined ? { ...values, auth } : values;
}

export function valuesFromSummary(a: AccountSummary): FormValues {
  const v: FormValues = {};
  for (const [k, val] of Object.entries(a.settings)) if (typeof val === 'string' || typeof val === 'boolean') v[k] = val;
  if (a.settings.kind === 'azure' && a.settings.entra) Object.assign(v, entraValues(a.settings.entra));
  return withSignIn(a.settings.kind, v);
}

/** An Entra identity as the form's flat values (EntraSignIn.tsx fills them). */
function entraValues(identity: { credential: string; tenantId?: string }): FormValues {
  return { 'entra.credential': identity.credential, 'entra.tenantId': identity.tenantId ?? '' };
}

/** Settings of an Azure account that signs in with Microsoft Entra ID: the identity and the account it chose. */
function entraSettings(values: FormValues, settings: Record<string, unknown>, errors: Record<string, string>): void {
  const credential = values['entra.credential'];
  if (typeof credential !== 'string' || credential === '') {
    errors['auth'] = 'Sign in with Microsoft Entra ID and choose a storage account';
    return;
  }
  settings['entra'] = { credential, tenantId: values['entra.tenantId'] ?? '' };
  const accountName = String(values['accountName'] ?? '').trim();
  if (accountName) settings['accountName'] = accountName;
  else if (!String(values['endpoint'] ?? '').trim()) errors['auth'] = 'Choose a storage account (or enter its blob service URL)';
}

/** Azure addresses an IP or localhost endpoint by path (http://127.0.0.1:10000/account/container), others by host. */
function pathStyle(hostname: string): boolean {
  return hostname === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');
}

/**
 * A SAS URL pasted into Azure's endpoint field (https://acct.blob.core.windows.net/photos?sv=…&sig=…) becomes what
 * it holds: the blob service URL, the container (when that field is empty) and the SAS token, with SAS sign-in
 * chosen. Anything else is left as typed (the schema then says what is wrong with it).
 */
export function splitPastedSasUrl(kind: ProviderKind, values: FormValues): FormValues {
  const raw = values['endpoint'];
  if (kind !== 'azure' || typeof raw !== 'string' || !raw.includes('?')) return values;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return values;
  }
  const sas = url.search.slice(1);
  if (!/(^|&)sig=/.test(sas)) return values;
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const serviceSegments = pathStyle(url.hostname) ? segments.slice(0, 1) : [];
  const container = segments[serviceSegments.length];
  const out: FormValues = {
    ...values,
    endpoint: `${url.protocol}//${url.host}${serviceSegments.map((s) => `/${s}`).join('')}`,
    auth: 'sas',
    'secrets.sasToken': sas,
  };
  if (container && !String(values['container'] ?? '').trim()) out['container'] = decodeURIComponent(container);
  return out;
}

/**
 * Builds the dialog's input and validates it with the contract's own schema, so the messages a user sees are the
 * ones the engine would give. Returns errors keyed by field path.
 */
export function buildInput(
  kind: ProviderKind,
  name: string,
  typed: FormValues,
  editing: boolean,
  saved?: AccountSummary,
): { input: AccountInput; errors: null } | { input: null; errors: Record<string, string> } {
  const values = withSignIn(kind, splitPastedSasUrl(kind, typed));
  const settings: Record<string, unknown> = { kind, name };
  const secrets: Record<string, string> = {};
  for (const f of visibleFields(kind, values)) {
    const v = values[f.path];
    if (f.secret) {
      if (typeof v === 'string' && v !== '') secrets[f.path.slice('secrets.'.length)] = v;
    } else if (f.type === 'checkbox') settings[f.path] = v === true;
    else if (typeof v === 'string') settings[f.path] = v;
  }
  // A new S3 account always needs its keys; on an edit, empty secret fields keep the saved ones.
  const needSecrets = Object.keys(secrets).length > 0 || (!editing && kind === 's3' && values['auth'] === 'keys');
  if (needSecrets) settings['secrets'] = kind === 's3' ? { accessKeyId: '', secretAccessKey: '', ...secrets } : secrets;
  const errors: Record<string, string> = {};
  if (kind === 'azure' && values['auth'] === 'entra') entraSettings(values, settings, errors);
  if (kind === 'azure' && !editing) {
    const auth = values['auth'];
    if (auth === 'sharedKey' && !secrets['accountKey']) errors['secrets.accountKey'] = 'Enter the account key';
    if (auth === 'sharedKey' && !String(values['accountName'] ?? '').trim()) errors['accountName'] = 'Enter the storage account name';
    if (auth === 'connectionString' && !secrets['connectionString']) errors['secrets.connectionString'] = 'Paste the connection string';
    if (auth === 'sas' && !secrets['sasToken']) errors['secrets.sasToken'] = 'Paste the SAS token';
    if (auth === 'sas' && !String(values['endpoint'] ?? '').trim()) errors['endpoint'] = 'A SAS token needs the blob service URL';
  }
  if (kind === 's3' && values['auth'] === 'profile' && !String(values['profile'] ?? '').trim()) errors['profile'] = 'Choose an AWS profile';
  if (kind === 'gcs' && typeof secrets['serviceAccountJson'] === 'string') {
    try {
      JSON.parse(secrets['serviceAccountJson']);
    } catch {
      errors['secrets.serviceAccountJson'] = 'This is not valid JSON: paste the whole key file';
    }
  }
  // Saved secrets go only where they were entered for: an edit that moves the endpoint needs them typed again.
  const next = AccountSettingsSchema.safeParse(settings);
  if (saved?.hasSecrets && Object.keys(secrets).length === 0 && next.success && secretsDestination(next.data) !== secretsDestination(saved.settings)) {
    for (const f of visibleFields(kind, values)) if (f.secret && !/optional/i.test(f.label)) errors[f.path] ??= secretsNeededAgain(saved.settings.name);
  }
  const parsed = AccountInputSchema.safeParse(settings);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      errors[path] ??= issue.message;
    }
  }
  if (parsed.success && Object.keys(errors).length === 0) return { input: parsed.data, errors: null };
  return { input: null, errors };
}
