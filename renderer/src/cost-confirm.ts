import type { CopyEstimateRequest } from '../../shared/contract/costs.estimate';
import type { ObjectEntry } from '../../shared/model';
import { useStore, type PaneId } from './store';

/** The user's threshold for the cost confirmation, kept with the other preferences of this browser profile. */
export const COST_CONFIRM_KEY = 'skyferry.costConfirmUsd';
export const DEFAULT_COST_CONFIRM_USD = 0.1;

export function costConfirmThreshold(): number {
  const raw = Number(localStorage.getItem(COST_CONFIRM_KEY) ?? '');
  return localStorage.getItem(COST_CONFIRM_KEY) !== null && Number.isFinite(raw) && raw >= 0 ? raw : DEFAULT_COST_CONFIRM_USD;
}

export function setCostConfirmThreshold(usd: number): void {
  localStorage.setItem(COST_CONFIRM_KEY, String(usd));
}

/**
 * Whether a copy or move from `pane` to `other` asks first, with its cost estimate in front of the user:
 * - never inside one account (server-side, nothing billed beyond requests);
 * - always when a folder is copied (its size, hence its cost, is not known until it is listed);
 * - otherwise when the estimate, which prices bytes leaving a cloud for this computer or another cloud as internet
 *   egress, is over the user's threshold (default $0.10), or when it cannot be made. A small download does not ask,
 *   as no file manager does.
 */
export async function needsCostConfirmation(pane: PaneId, other: PaneId, entries: ObjectEntry[]): Promise<boolean> {
  const s = useStore.getState();
  const from = s.panes[pane].account;
  const to = s.panes[other].account;
  if (!from || !to || from === to) return false;
  if (entries.some((e) => e.isPrefix)) return true;
  const sizes = entries.map((e) => e.size);
  const request: CopyEstimateRequest = { sourceAccount: from, destinationAccount: to, files: sizes.length, bytes: sizes.reduce((n, b) => n + b, 0), sizes };
  await s.estimateCopy(request);
  const answer = useStore.getState().copyEstimate;
  if (answer?.request !== request || answer.estimate.state !== 'done') return true;
  return answer.estimate.estimate.totalUsd > costConfirmThreshold();
}
