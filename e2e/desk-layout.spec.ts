import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';
import { openPath, pane } from './ui';

async function width(l: Locator): Promise<number> {
  const b = await l.boundingBox();
  if (!b) throw new Error('no bounding box');
  return b.width;
}

test.describe('desktop layout: column edges by keyboard, a collapsible details panel, columns that fit', () => {
  test('column edges are focusable separators: arrows change the width, remembered like a drag', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'images', 'cats']);
    const grid = left.getByRole('grid', { name: 'Left pane objects' });
    // The keyboard's way in: the Columns menu's Resize columns focuses the first column's edge.
    await left.getByRole('button', { name: 'Columns' }).focus();
    await page.keyboard.press('Enter');
    await left.getByRole('group', { name: 'Columns' }).getByRole('button', { name: 'Resize columns' }).focus();
    await page.keyboard.press('Enter');
    const nameEdge = left.getByRole('separator', { name: 'Width of the Name column' });
    await expect(nameEdge).toBeFocused();
    // Tab goes from edge to edge inside the header.
    await page.keyboard.press('Tab');
    const sizeEdge = left.getByRole('separator', { name: 'Width of the Size column' });
    await expect(sizeEdge).toBeFocused();
    const start = Number(await sizeEdge.getAttribute('aria-valuenow'));
    expect(start).toBeGreaterThan(0);
    const sizeHead = left.getByRole('columnheader', { name: /Size/ });
    const before = await width(sizeHead);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect(sizeEdge).toHaveAttribute('aria-valuenow', String(start + 3 * 8 + 40));
    await expect.poll(() => width(sizeHead)).toBeGreaterThan(before + 60);
    // The arrows changed the width, not the row focus; Esc goes back to the rows.
    await page.keyboard.press('Escape');
    await expect(grid).toBeFocused();
    await page.reload();
    const again = await openPath(page, 'left', 'minio', ['demo-photos']);
    await expect(again.getByRole('separator', { name: 'Width of the Size column' })).toHaveAttribute('aria-valuenow', String(start + 64));
    await page.keyboard.press('Tab');
    await again.getByRole('separator', { name: 'Width of the Size column' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(again.getByRole('separator', { name: 'Width of the Size column' })).toHaveAttribute('aria-valuenow', String(start + 56));
  });

  test('the details panel collapses and expands from a button, by keyboard, and stays as it was left', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
    await openPath(page, 'left', 'minio', ['demo-photos']);
    const details = page.getByRole('complementary', { name: 'Object details' });
    const toggle = page.getByRole('button', { name: 'Details panel' });
    await expect(details).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const paneBefore = await width(pane(page, 'left'));
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(details).toHaveCount(0);
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    // The panes take the freed width.
    await expect.poll(() => width(pane(page, 'left'))).toBeGreaterThan(paneBefore + 80);
    await page.reload();
    await expect(pane(page, 'left')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Details panel' })).toHaveAttribute('aria-expanded', 'false');
    await expect(details).toHaveCount(0);
    await page.getByRole('button', { name: 'Details panel' }).press('Space');
    await expect(details).toBeVisible();
    await expect(page.getByRole('button', { name: 'Details panel' })).toHaveAttribute('aria-expanded', 'true');
    await expect.poll(async () => Math.round(await width(pane(page, 'left')))).toBe(Math.round(paneBefore));
  });

  test('at 1024 px wide the default columns fit each pane without a sideways scroll bar', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'images', 'cats']);
    await openPath(page, 'right', 'gcs', ['demo-archive']);
    await expect(left.getByRole('columnheader')).toHaveText([/Name/, /Size/, /Modified/, /Type/]);
    for (const side of ['left', 'right'] as const) {
      const body = pane(page, side).locator('.table-body');
      await expect(body.locator('[role=row][data-key]').first()).toBeVisible();
      const { scroll, client } = (await body.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))) as { scroll: number; client: number };
      expect(scroll, `${side} table: content ${scroll} px in ${client} px`).toBeLessThanOrEqual(client);
    }
    // The dates are whole, not cut by the narrower column.
    const cut = await left.locator('[role=row][data-key] .col-modified').evaluateAll((cells) => cells.filter((c) => c.scrollWidth > c.clientWidth).length);
    expect(cut).toBe(0);
  });
});
