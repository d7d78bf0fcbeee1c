import type { StateCreator } from 'zustand';
import type { EntraIdentity } from '../../../shared/accounts';
import type { ChannelRequest, ChannelResponse, EntraDeviceCode, EntraStorageAccount } from '../../../shared/contract';
import { invoke, on } from '../api/client';
import type { AppState } from './index';
import { attempt, type Outcome } from './outcome';

/** Sign-in with Microsoft Entra ID for Azure accounts: the engine signs in and lists; no token reaches this side. */
export interface EntraSlice {
  /** The device code a sign-in waits on (shown until the sign-in ends). */
  entraPrompt: EntraDeviceCode | null;
  /** True while the account dialog runs a sign-in (it shows the prompt itself then). */
  entraSigningIn: boolean;
  entraSignIn(request: ChannelRequest<'entra:signIn'>): Promise<Outcome<ChannelResponse<'entra:signIn'>>>;
  entraStorageAccounts(identity: EntraIdentity, subscriptionId: string): Promise<Outcome<EntraStorageAccount[]>>;
  entraContainers(identity: EntraIdentity, storageAccountId: string): Promise<Outcome<{ name: string }[]>>;
  entraPrompted(prompt: EntraDeviceCode): void;
  /** The device-code sign-in ended, or the user put the notice away. */
  entraPromptDone(): void;
}

export const createEntraSlice: StateCreator<AppState, [], [], EntraSlice> = (set) => ({
  entraPrompt: null,
  entraSigningIn: false,
  async entraSignIn(request) {
    set({ entraSigningIn: true, entraPrompt: null });
    try {
      return await attempt(() => invoke('entra:signIn', request));
    } finally {
      set({ entraSigningIn: false, entraPrompt: null });
    }
  },
  entraStorageAccounts: (identity, subscriptionId) => attempt(() => invoke('entra:storageAccounts', { identity, subscriptionId })),
  entraContainers: (identity, storageAccountId) => attempt(() => invoke('entra:containers', { identity, storageAccountId })),
  entraPrompted(prompt) {
    // The dialog shows it while it signs in; otherwise (a saved device-code account after a restart, asked for by a
    // browse or a job) EntraDeviceCodeNotice does, until the sign-in ends.
    set({ entraPrompt: prompt });
  },
  entraPromptDone() {
    set({ entraPrompt: null });
  },
});

/** Shows device codes as the engine asks for them, until their sign-in ends. Returns the unsubscribe function. */
export function subscribeEntra(getState: () => AppState): () => void {
  const offPrompt = on('entra:deviceCode', (p) => getState().entraPrompted(p));
  const offDone = on('entra:deviceCodeDone', () => getState().entraPromptDone());
  return () => {
    offPrompt();
    offDone();
  };
}
