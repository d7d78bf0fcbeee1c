import type { StateCreator } from 'zustand';
import type { AwsProfile, MfaPrompt } from '../../../shared/contract';
import { errorMessage, invoke, on } from '../api/client';
import type { AppState } from './index';

/** Sign-in without saved keys: the AWS profiles the engine sees, and the MFA codes it asks the user for. */
export interface IdentitiesSlice {
  /** null until loaded; the engine reads the AWS config files again on each load. */
  awsProfiles: AwsProfile[] | null;
  awsProfilesError: string | null;
  loadAwsProfiles(): Promise<void>;
  /** Prompts waiting for the user, oldest first (the first one is shown). */
  mfaPrompts: MfaPrompt[];
  mfaPrompted(prompt: MfaPrompt): void;
  mfaClosed(id: string): void;
  /** Sends the code (none: cancel); null when the engine took it, else why not. */
  answerMfa(id: string, code: string | undefined): Promise<string | null>;
}

export const createIdentitiesSlice: StateCreator<AppState, [], [], IdentitiesSlice> = (set) => ({
  awsProfiles: null,
  awsProfilesError: null,
  async loadAwsProfiles() {
    try {
      set({ awsProfiles: await invoke('accounts:awsProfiles', {}), awsProfilesError: null });
    } catch (e) {
      set({ awsProfiles: [], awsProfilesError: `Could not read the AWS config files: ${errorMessage(e)}` });
    }
  },
  mfaPrompts: [],
  mfaPrompted(prompt) {
    set((s) => ({ mfaPrompts: s.mfaPrompts.some((p) => p.id === prompt.id) ? s.mfaPrompts : [...s.mfaPrompts, prompt] }));
  },
  mfaClosed(id) {
    set((s) => ({ mfaPrompts: s.mfaPrompts.filter((p) => p.id !== id) }));
  },
  async answerMfa(id, code) {
    try {
      await invoke('accounts:mfaCode', code === undefined ? { id } : { id, code });
      set((s) => ({ mfaPrompts: s.mfaPrompts.filter((p) => p.id !== id) }));
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  },
});

/** Keeps the MFA prompts in step with the engine's events. Returns the unsubscribe function. */
export function subscribeIdentities(getState: () => AppState): () => void {
  const offPrompt = on('accounts:mfaPrompt', (p) => getState().mfaPrompted(p));
  const offDone = on('accounts:mfaDone', ({ id }) => getState().mfaClosed(id));
  return () => {
    offPrompt();
    offDone();
  };
}
