import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  AccountSettingsSchema,
  endpointProblem,
  secretsDestination,
  secretsNeededAgain,
  usesSavedSecrets,
  type AccountInput,
  type AccountSettings,
  type AccountSummary,
} from '../../../shared/accounts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../shared/errors';
import { DEFAULT_LOCAL_ACCOUNT, ProviderKindSchema, type ProviderKind } from '../../../shared/location';
import { createLogger, registerSecret } from '../log';
import { writeFileAtomic } from '../atomic-write';
import type { SecretCipher } from './secret-store';

const log = createLogger('accounts');

export const ACCOUNTS_FILE = 'accounts.json';
export const SECRETS_FILE = 'secrets.bin';

/** The built-in account that opens the whole disk; always present, never saved, never removable. */
export const BUILT_IN_LOCAL: AccountSettings = { kind: 'local', name: DEFAULT_LOCAL_ACCOUNT, root: '/' };

/** A secret's values by field (accessKeyId, secretAccessKey, …), kept with the kind they were entered for. */
export type SecretValues = Record<string, string>;
interface SavedSecrets {
  kind: ProviderKind;
  values: SecretValues;
}

const SecretsFileSchema = z.object({
  version: z.literal(1),
  secrets: z.record(z.string(), z.object({ kind: ProviderKindSchema, values: z.record(z.string(), z.string()) })),
});

export interface StoredAccount {
  settings: AccountSettings;
  /** Absent when none were saved. Never sent to the renderer. */
  secrets: SecretValues | undefined;
}

export interface AccountStore {
  list(): AccountSummary[];
  get(name: string): StoredAccount | undefined;
  /** Like get, but a NotFoundError that says what to do. */
  require(name: string): StoredAccount;
  /**
   * The saved secrets of account `name` (the one being edited) as they may be used with `next` settings: undefined
   * when there are none or they are of another kind, an InvalidInputError when `next` would send them to another
   * endpoint.
   */
  secretsFor(name: string, next: AccountSettings): SecretValues | undefined;
  /**
   * Creates or replaces; `previousName` renames. Omitted (or all-empty) secrets keep the saved ones, unless the
   * endpoint they are sent to changed.
   */
  save(input: AccountInput, previousName?: string): Promise<AccountSummary>;
  remove(name: string): Promise<void>;
  /** Called with each account name whose settings or secrets changed (both names on a rename). */
  onChange(listener: (name: string) => void): () => void;
}

/** Only non-empty strings count: an edit dialog sends blank fields for "unchanged". */
function cleanSecrets(input: Record<string, unknown> | undefined): SecretValues | undefined {
  if (!input) return undefined;
  const out: SecretValues = {};
  for (const [k, v] of Object.entries(input)) if (typeof v === 'string' && v !== '') out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** Every secret string is known to the logger, so it is redacted wherever it might appear. */
export function registerSecretValues(values: SecretValues | undefined): void {
  for (const v of Object.values(values ?? {})) {
    registerSecret(v);
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed && typeof parsed === 'object' && 'private_key' in parsed && typeof parsed.private_key === 'string') registerSecret(parsed.private_key);
    } catch {
      // Not JSON (most secrets are plain strings).
    }
  }
}

function summary(settings: AccountSettings, secrets: SecretValues | undefined): AccountSummary {
  return { settings, hasSecrets: secrets !== undefined };
}

/** A damaged file is moved aside (not deleted: it may be recoverable) and the app starts without it. */
async function setAside(file: string, why: string): Promise<void> {
  const aside = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  log.warn(`${path.basename(file)}: ${why}; moved to ${aside}`);
  await rename(file, aside).catch(() => undefined);
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * A saved endpoint with a query string or a user name and password (accepted by earlier versions: a pasted SAS URL)
 * is kept without them, so the account still loads; the credential it held must be entered in its own field.
 */
function withoutEndpointExtras(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null || !('endpoint' in entry) || typeof entry.endpoint !== 'string') return entry;
  if (!endpointProblem(entry.endpoint.trim())) return entry;
  const u = new URL(entry.endpoint.trim());
  const name = 'name' in entry && typeof entry.name === 'string' ? entry.name : 'an account';
  log.warn(`${name}: its endpoint held a query string or credentials, which were dropped; enter them in the account's own fields`);
  return { ...entry, endpoint: `${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, '') };
}

async function loadSettings(file: string): Promise<Map<string, AccountSettings>> {
  const out = new Map<string, AccountSettings>();
  const raw = await readIfExists(file);
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    await setAside(file, 'not valid JSON');
    return out;
  }
  const list = z.object({ accounts: z.array(z.unknown()) }).safeParse(parsed);
  if (!list.success) {
    await setAside(file, 'not an accounts file');
    return out;
  }
  for (const entry of list.data.accounts) {
    const one = AccountSettingsSchema.safeParse(withoutEndpointExtras(entry));
    if (!one.success) log.warn(`skipped an unreadable saved account: ${one.error.issues[0]?.message ?? 'invalid'}`);
    else if (one.data.name !== DEFAULT_LOCAL_ACCOUNT) out.set(one.data.name, one.data);
  }
  return out;
}

async function loadSecrets(file: string, cipher: SecretCipher): Promise<Map<string, SavedSecrets>> {
  const raw = await readIfExists(file);
  if (!raw) return new Map();
  try {
    const plain = await cipher.decrypt(raw);
    const parsed = SecretsFileSchema.parse(JSON.parse(plain.toString('utf8')));
    return new Map(Object.entries(parsed.secrets));
  } catch (e) {
    await setAside(file, `could not be read (${e instanceof Error ? e.message : 'unknown error'}); secrets must be entered again`);
    return new Map();
  }
}

export async function openAccountStore(dataDir: string, cipher: SecretCipher): Promise<AccountStore> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const accountsFile = path.join(dataDir, ACCOUNTS_FILE);
  const secretsFile = path.join(dataDir, SECRETS_FILE);
  let accounts = await loadSettings(accountsFile);
  let secrets = await loadSecrets(secretsFile, cipher);
  for (const s of secrets.values()) registerSecretValues(s.values);
  const listeners = new Set<(name: string) => void>();
  // Saves and removals run one at a time, so two quick edits never interleave their file writes.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const secretsOf = (name: string): SecretValues | undefined => {
    const saved = secrets.get(name);
    const settings = accounts.get(name);
    return saved && settings && saved.kind === settings.kind ? saved.values : undefined;
  };

  async function persist(nextAccounts: Map<string, AccountSettings>, nextSecrets: Map<string, SavedSecrets>): Promise<void> {
    // Secrets first: a crash in between leaves an unused secret, never an account pointing at a lost one.
    const sealed = await cipher.encrypt(Buffer.from(JSON.stringify({ version: 1, secrets: Object.fromEntries(nextSecrets) })));
    await writeFileAtomic(secretsFile, sealed);
    await writeFileAtomic(accountsFile, `${JSON.stringify({ version: 1, accounts: [...nextAccounts.values()] }, null, 2)}\n`);
    accounts = nextAccounts;
    secrets = nextSecrets;
  }

  /** The saved secrets of `name` for new settings: none across kinds; refused when they would go somewhere new. */
  const reusableSecrets = (name: string, next: AccountSettings): SecretValues | undefined => {
    const saved = secrets.get(name);
    const before = accounts.get(name);
    // An Azure account that signs in with Microsoft Entra ID keeps no secret: a key saved before is dropped.
    if (!saved || saved.kind !== next.kind || (next.kind === 'azure' && next.auth === 'entra')) return undefined;
    if (before && secretsDestination(before) !== secretsDestination(next)) throw new InvalidInputError(secretsNeededAgain(next.name));
    return saved.values;
  };

  const notify = (...names: string[]): void => {
    for (const name of new Set(names)) for (const l of listeners) l(name);
  };

  const refuseBuiltIn = (name: string | undefined): void => {
    if (name === DEFAULT_LOCAL_ACCOUNT) {
      throw new InvalidInputError(`"${DEFAULT_LOCAL_ACCOUNT}" is the built-in account for this computer's disk; it cannot be changed or removed. Add a local account with another name for a specific folder.`);
    }
  };

  const store: AccountStore = {
    list: () => [summary(BUILT_IN_LOCAL, undefined), ...[...accounts.values()].map((s) => summary(s, secretsOf(s.name)))],

    secretsFor: (name, next) => reusableSecrets(name, next),

    get(name) {
      if (name === DEFAULT_LOCAL_ACCOUNT) return { settings: BUILT_IN_LOCAL, secrets: undefined };
      const settings = accounts.get(name);
      return settings ? { settings, secrets: secretsOf(name) } : undefined;
    },

    require(name) {
      const found = store.get(name);
      if (!found) throw new NotFoundError(`There is no account named "${name}": add it in Accounts`);
      return found;
    },

    save: (input, previousName) =>
      serialized(async () => {
        const { secrets: newSecretsInput, ...rest } = input;
        const settings = AccountSettingsSchema.parse(rest);
        refuseBuiltIn(settings.name);
        refuseBuiltIn(previousName);
        const oldName = previousName ?? settings.name;
        if (previousName !== undefined && previousName !== settings.name) {
          if (!accounts.has(previousName)) throw new NotFoundError(`There is no account named "${previousName}" to rename`);
          if (accounts.has(settings.name)) throw new ConflictError(`An account named "${settings.name}" already exists: choose another name`);
        }
        // An account that signs in without saved secrets keeps none (keys saved before the switch are deleted).
        const given = usesSavedSecrets(settings) ? cleanSecrets(newSecretsInput) : undefined;
        const values = usesSavedSecrets(settings) ? (given ?? reusableSecrets(oldName, settings)) : undefined;

        const nextAccounts = new Map<string, AccountSettings>();
        let placed = false;
        for (const [name, s] of accounts) {
          if (name === oldName) {
            nextAccounts.set(settings.name, settings); // a rename or edit keeps the account's place in the list
            placed = true;
          } else nextAccounts.set(name, s);
        }
        if (!placed) nextAccounts.set(settings.name, settings);
        const nextSecrets = new Map(secrets);
        nextSecrets.delete(oldName);
        if (values) nextSecrets.set(settings.name, { kind: settings.kind, values });
        registerSecretValues(values);
        await persist(nextAccounts, nextSecrets);
        log.info(`saved account ${settings.name}${oldName !== settings.name ? ` (renamed from ${oldName})` : ''}`);
        notify(oldName, settings.name);
        return summary(settings, values);
      }),

    remove: (name) =>
      serialized(async () => {
        refuseBuiltIn(name);
        if (!accounts.has(name)) throw new NotFoundError(`There is no account named "${name}"`);
        const nextAccounts = new Map(accounts);
        nextAccounts.delete(name);
        const nextSecrets = new Map(secrets);
        nextSecrets.delete(name);
        await persist(nextAccounts, nextSecrets);
        log.info(`removed account ${name}`);
        notify(name);
      }),

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return store;
}
