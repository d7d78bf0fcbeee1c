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
  const here = p.getByRole('navigation', { name: 'Location' }).locator('[aria-current]');
  for (const seg of segments) {
    const parent = (await here.count()) > 0 ? await here.textContent() : null;
    // A listing that refreshes as it is clicked (the virtual table reuses its row elements) can turn the double click
    // onto a neighbour: then the user goes back and opens the right one.
    await expect(async () => {
      const now = (await here.count()) > 0 ? await here.textContent() : null;
      if (now !== seg && now !== parent) await p.getByRole('button', { name: 'Back' }).click({ timeout: 5_000 });
      if (now !== seg) {
        // Scrolled into view first and let the virtual table draw its rows there, so the double click lands on it.
        await row(p, seg).scrollIntoViewIfNeeded({ timeout: 5_000 });
        await p.page().waitForTimeout(150);
        await row(p, seg).dblclick({ timeout: 5_000 });
      }
      await expect(here).toHaveText(seg, { timeout: 5_000 });
    }).toPass({ timeout: 30_000 });
  }
  return p;
}

/** Waits until no transfer is queued or running, and the newest one finished as `state`. */
export async function waitForJobs(page: Page, state: 'Done' | 'Failed' = 'Done'): Promise<void> {
  const jobs = page.getByRole('region', { name: 'Transfers' }).getByTestId('job');
  await expect(jobs.first()).toBeVisible();
  await expect(jobs.first().locator('.job-state')).toHaveText(state, { timeout: 60_000 });
}
