import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** Page helpers for the renderer's specs: they find things the way a user (or a screen reader) does. */
export function pane(page: Page, side: 'left' | 'right'): Locator {
  return page.getByRole('region', { name: side === 'left' ? 'Left pane' : 'Right pane' });
}

export function row(p: Locator, name: string): Locator {
  return p.getByRole('row').filter({ has: p.page().getByRole('gridcell', { name, exact: true }) });
}

/** Opens account → bucket → prefix segments in a pane, by the account picker and double clicks. */
export async function openPath(page: Page, side: 'left' | 'right', account: string, segments: string[]): Promise<Locator> {
  const p = pane(page, side);
  await p.getByRole('combobox', { name: /account/ }).selectOption(account);
  for (const seg of segments) {
    await row(p, seg).dblclick();
    await expect(p.getByRole('navigation', { name: 'Location' }).locator('[aria-current]')).toHaveText(seg);
  }
  return p;
}

/** Waits until no transfer is queued or running, and the newest one finished as `state`. */
export async function waitForJobs(page: Page, state: 'Done' | 'Failed' = 'Done'): Promise<void> {
  const jobs = page.getByRole('region', { name: 'Transfers' }).getByTestId('job');
  await expect(jobs.first()).toBeVisible();
  await expect(jobs.first().locator('.job-state')).toHaveText(state, { timeout: 60_000 });
}
