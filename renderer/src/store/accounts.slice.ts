import type { StateCreator } from 'zustand';
import type { AccountSummary } from '../../../shared/accounts';
import type { ProviderFeatures } from '../../../shared/model';
import { errorMessage, invoke } from '../api/client';
import type { AppState } from './index';

export interface AccountsSlice {
  accounts: AccountSummary[];
  accountsLoaded: boolean;
  features: Record<string, ProviderFeatures>;
  loadAccounts(): Promise<void>;
  loadFeatures(name: string): Promise<ProviderFeatures | null>;
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
});
