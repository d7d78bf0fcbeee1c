import type { StateCreator } from 'zustand';
import type { ChannelRequest, ConflictReport, OverwriteMode } from '../../../shared/contract';
import { invoke } from '../api/client';
import type { AppState } from './index';

/** The user's answer to a conflict check: a mode for all, and a mode for single files by destination URI. */
export interface ConflictAnswer {
  overwrite: OverwriteMode;
  decisions?: Record<string, OverwriteMode>;
}

/** A conflict check waiting for the user (ConflictDialog shows it). */
export interface ConflictPrompt {
  /** What the job does, in the user's words ("Rename draft.docx", "Download 3 items"). */
  what: string;
  report: ConflictReport;
  rename: boolean;
}

type JobStartInput = ChannelRequest<'jobs:start'>;

export interface ConflictsSlice {
  conflictPrompt: ConflictPrompt | null;
  /** Ends the prompt with the user's answer; null cancels the job. */
  answerConflicts(answer: ConflictAnswer | null): void;
  /**
   * Starts a copy or move once nothing it would replace is left unanswered: the engine lists the targets that
   * exist (jobs:conflicts), the user chooses for them, and the job carries that choice. Without conflicts the job
   * still says 'never', so a target that appears meanwhile is skipped, not replaced. Resolves with the job's id,
   * or null when the user cancelled or it could not start (a toast says why). When the check itself
   * fails the job starts with 'never' and reports the cause.
   */
  startCheckedJob(request: JobStartInput & { kind: 'copy' | 'move'; destination: string }, what: string): Promise<string | null>;
}

export const createConflictsSlice: StateCreator<AppState, [], [], ConflictsSlice> = (set, get) => {
  let pending: ((answer: ConflictAnswer | null) => void) | undefined;
  return {
    conflictPrompt: null,
    answerConflicts(answer) {
      const resolve = pending;
      pending = undefined;
      set({ conflictPrompt: null });
      resolve?.(answer);
    },
    async startCheckedJob(request, what) {
      const rename = request.options?.destinationIsExact === true;
      const alternates = request.options?.alternates;
      let report: ConflictReport | undefined;
      try {
        report = await invoke('jobs:conflicts', { kind: request.kind, sources: request.sources, destination: request.destination, ...(rename ? { destinationIsExact: true } : {}), ...(alternates?.length ? { alternates } : {}) });
      } catch {
        // The job reports what stopped the check (a source gone, a folder it may not list) file by file; with
        // 'never' it replaces nothing meanwhile.
        report = undefined;
      }
      let answer: ConflictAnswer = { overwrite: 'never' };
      if (report && (report.conflicts.length > 0 || report.truncated)) {
        // A prompt still open (another check) is cancelled: one question at a time.
        pending?.(null);
        const asked = new Promise<ConflictAnswer | null>((resolve) => (pending = resolve));
        set({ conflictPrompt: { what, report, rename } });
        const given = await asked;
        if (given === null) return null;
        answer = given;
      }
      const options = { ...request.options, overwrite: answer.overwrite, ...(answer.decisions && Object.keys(answer.decisions).length > 0 ? { decisions: answer.decisions } : {}) };
      return get().startJob({ ...request, options });
    },
  };
};
