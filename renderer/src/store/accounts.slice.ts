import type { StateCreator } from 'zustand';
import type { AccountInput, AccountSummary, ConnectionTestResult } from '../../../shared/accounts';
import type { ChannelRequest } from '../../../shared/contract';
import type { ProviderFeatures } from '../../../shared/model';
import { errorMessage, invoke } from '../api/client';
import type { AppState } from './index';
import { orToast } from './outcome';

export interface AccountsSlice {
  accounts: AccountSummary[];
  accountsLoaded: boolean;
  features: Record<string, ProviderFeatures>;
  loadAccounts(): Promise<void>;
  loadFeatures(name: string): Promise<ProviderFeatures | null>;
  /** Tries an account's settings (or a saved account, by name); a failure to ask is a failed test too. */
  testAccount(request: ChannelRequest<'accounts:test'>): Promise<ConnectionTestResult>;
  /** Saves an account (renaming `previousName`); null when saved, else why not. */
  saveAccount(input: AccountInput, previousName?: string): Promise<string | null>;
  /** Removes a saved account; true when removed. */
  removeAccount(name: string): Promise<boolean>;
}

export const createAccountsSlice: StateCreator<AppState, [], [], AccountsSlice> = (set, get) => ({
  accounts: [],
  accountsLoaded: false,
  features: {},
  async loadAccounts() {
    try {
      const accounts = await invoke('accounts:list', {});
      set({ accounts, accountsLoaded: true });
    } catch (e) {
      set({ accountsLoaded: true });
      get().toast('error', `Could not load accounts: ${errorMessage(e)}`);
    }
  },
  async loadFeatures(name) {
    const known = get().features[name];
    if (known) return known;
    try {
      const f = await invoke('accounts:features', { name });
      set((s) => ({ features: { ...s.features, [name]: f } }));
      return f;
    } catch {
      return null;
    }
  },
  async testAccount(request) {
    try {
      return await invoke('accounts:test', request);
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  },
  async saveAccount(input, previousName) {
    try {
      await invoke('accounts:save', { account: input, ...(previousName === undefined ? {} : { previousName }) });
      await get().loadAccounts();
      get().toast('success', `Account ${input.name} saved`);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  },
  async removeAccount(name) {
    if (!(await orToast(get, () => invoke('accounts:remove', { name })))) return false;
    await get().loadAccounts();
    get().toast('success', `Account ${name} removed`);
    return true;
  },
});
