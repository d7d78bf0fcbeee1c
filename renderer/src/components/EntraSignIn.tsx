import { useState } from 'react';
import type { EntraCredential, EntraIdentity } from '../../../shared/accounts';
import type { EntraStorageAccount, EntraSubscription } from '../../../shared/contract';
import { useStore } from '../store';
import type { FormValues } from './accountForm';
import { Options } from './Options';

const HOW: [string, string][] = [
  ['auto', 'Automatic (Azure CLI, else browser or device code)'],
  ['azureCli', 'Azure CLI (az login)'],
  ['browser', 'Browser sign-in (desktop app)'],
  ['deviceCode', 'Device code (enter a code on another device)'],
];

const CREDENTIAL_LABEL: Record<EntraCredential, string> = { azureCli: 'the Azure CLI', browser: 'a browser', deviceCode: 'a device code' };

/** The identity the form holds, when it has one. */
function identityOf(values: FormValues): EntraIdentity | null {
  const credential = values['entra.credential'];
  if (credential !== 'azureCli' && credential !== 'browser' && credential !== 'deviceCode') return null;
  const tenantId = typeof values['entra.tenantId'] === 'string' && values['entra.tenantId'] !== '' ? values['entra.tenantId'] : undefined;
  return { credential, tenantId };
}

/**
 * Sign in with Microsoft Entra ID, then pick the storage account and container from those the identity can see
 * (listed through Azure Resource Manager). Writes the choice into the account form's values.
 */
export function EntraSignIn({ values, onChange }: { values: FormValues; onChange: (patch: FormValues) => void }) {
  const signIn = useStore((s) => s.entraSignIn);
  const listAccounts = useStore((s) => s.entraStorageAccounts);
  const listContainers = useStore((s) => s.entraContainers);
  const prompt = useStore((s) => s.entraPrompt);
  const [how, setHow] = useState('auto');
  const [tenant, setTenant] = useState(typeof values['entra.tenantId'] === 'string' ? values['entra.tenantId'] : '');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [subscriptions, setSubscriptions] = useState<EntraSubscription[] | null>(null);
  const [accounts, setAccounts] = useState<EntraStorageAccount[] | null>(null);
  const [containers, setContainers] = useState<{ name: string }[] | null>(null);
  const [subscription, setSubscription] = useState('');
  const [accountId, setAccountId] = useState('');
  const identity = identityOf(values);

  const run = async <T,>(what: string, call: () => Promise<{ ok: true; value: T } | { ok: false; error: string }>): Promise<T | null> => {
    setBusy(what);
    setError(null);
    const r = await call();
    setBusy(null);
    if (!r.ok) {
      setError(r.error);
      return null;
    }
    return r.value;
  };

  const chooseSubscription = async (id: string, who: EntraIdentity): Promise<void> => {
    setSubscription(id);
    setAccounts(null);
    setContainers(null);
    setAccountId('');
    if (!id) return;
    const list = await run('Listing storage accounts…', () => listAccounts(who, id));
    if (list) setAccounts(list);
  };

  const start = async (): Promise<void> => {
    setSubscriptions(null);
    setAccounts(null);
    setContainers(null);
    const r = await run('Signing in…', () => signIn({ credential: how as 'auto' | EntraCredential, tenantId: tenant.trim() }));
    if (!r) return;
    onChange({ 'entra.credential': r.identity.credential, 'entra.tenantId': r.identity.tenantId ?? '' });
    setSubscriptions(r.subscriptions);
    const only = r.subscriptions.length === 1 ? r.subscriptions[0] : undefined;
    if (only) await chooseSubscription(only.id, r.identity);
  };

  const chooseAccount = async (id: string): Promise<void> => {
    setAccountId(id);
    setContainers(null);
    const account = accounts?.find((a) => a.id === id);
    if (!account || !identity) return;
    onChange({ accountName: account.name, endpoint: (account.blobEndpoint ?? `https://${account.name}.blob.core.windows.net`).replace(/\/+$/, ''), container: '' });
    const list = await run('Listing containers…', () => listContainers(identity, id));
    if (list) setContainers(list);
  };

  return (
    // A fieldset is as wide as its widest content unless told otherwise: it keeps to the form's width.
    <fieldset className="entra-sign-in" aria-label="Microsoft Entra ID" style={{ minWidth: 0, maxWidth: '100%', boxSizing: 'border-box' }}>
      <legend>Microsoft Entra ID</legend>
      <div className="field">
        <label htmlFor="entra-how">Sign in through</label>
        <select id="entra-how" value={how} onChange={(e) => setHow(e.target.value)}>
          <Options items={HOW} />
        </select>
      </div>
      <div className="field">
        <label htmlFor="entra-tenant">Tenant (optional)</label>
        <input id="entra-tenant" type="text" autoComplete="off" spellCheck={false} value={tenant} onChange={(e) => setTenant(e.target.value)} aria-describedby="entra-tenant-hint" />
        <small id="entra-tenant-hint" className="hint">A tenant ID or domain (contoso.onmicrosoft.com); empty for your home tenant</small>
      </div>
      <div className="dialog-buttons">
        <button type="button" onClick={() => void start()} disabled={busy !== null}>
          {busy === 'Signing in…' ? 'Signing in…' : 'Sign in with Microsoft Entra ID'}
        </button>
      </div>
      {busy && prompt && (
        <p className="entra-device-code" role="status" data-testid="entra-device-code">
          Open <a href={prompt.verificationUri} target="_blank" rel="noopener noreferrer">{prompt.verificationUri}</a> and enter the code <code>{prompt.userCode}</code>.
        </p>
      )}
      {busy && !prompt && <p role="status" className="muted">{busy}</p>}
      {error && <p className="test-result fail" role="alert">{error}</p>}
      {identity && !busy && !error && (
        <p className="muted" data-testid="entra-identity">
          Signs in with {CREDENTIAL_LABEL[identity.credential]}{identity.tenantId ? ` in tenant ${identity.tenantId}` : ''}
          {typeof values['accountName'] === 'string' && values['accountName'] ? `; storage account ${values['accountName']}` : ''}.
        </p>
      )}
      {subscriptions && identity && (
        <div className="field">
          <label htmlFor="entra-subscription">Subscription</label>
          <select id="entra-subscription" value={subscription} onChange={(e) => void chooseSubscription(e.target.value, identity)}>
            <Options items={[['', subscriptions.length ? 'Choose a subscription' : 'No subscriptions visible'], ...subscriptions.map((s): [string, string] => [s.id, s.name])]} />
          </select>
        </div>
      )}
      {accounts && (
        <div className="field">
          <label htmlFor="entra-account">Storage account</label>
          <select id="entra-account" value={accountId} onChange={(e) => void chooseAccount(e.target.value)}>
            <Options items={[['', accounts.length ? 'Choose a storage account' : 'No storage accounts in this subscription'], ...accounts.map((a): [string, string] => [a.id, a.location ? `${a.name} (${a.location})` : a.name])]} />
          </select>
        </div>
      )}
      {containers && (
        <div className="field">
          <label htmlFor="entra-container">Container</label>
          <select id="entra-container" value={typeof values['container'] === 'string' ? values['container'] : ''} onChange={(e) => onChange({ container: e.target.value })}>
            <Options items={[['', 'All containers'], ...containers.map((c): [string, string] => [c.name, c.name])]} />
          </select>
        </div>
      )}
      <small className="hint">
        Reading blobs needs the role &quot;Storage Blob Data Reader&quot; on the storage account (&quot;Storage Blob Data Contributor&quot; to upload, copy and delete); listing needs &quot;Reader&quot;. Tokens stay out of this window; a browser or device-code sign-in is kept encrypted on this computer.
      </small>
    </fieldset>
  );
}

/**
 * A device code that the engine asked for outside the account dialog (a saved device-code account signing in again
 * for a browse or a job): shown until that sign-in ends.
 */
export function EntraDeviceCodeNotice() {
  const prompt = useStore((s) => s.entraPrompt);
  const inDialog = useStore((s) => s.entraSigningIn);
  const dismiss = useStore((s) => s.entraPromptDone);
  if (!prompt || inDialog) return null;
  return (
    // Top right, apart from the notifications at the bottom: it stays for minutes while the user signs in.
    <div className="toasts" role="region" aria-label="Sign-in" style={{ top: '4rem', bottom: 'auto' }}>
      <div className="toast" role="status" data-testid="entra-device-code-notice">
        <span>
          Microsoft Entra ID sign-in: open <a href={prompt.verificationUri} target="_blank" rel="noopener noreferrer">{prompt.verificationUri}</a> and enter the
          code <code>{prompt.userCode}</code>.
        </span>
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismiss}>
          ×
        </button>
      </div>
    </div>
  );
}
