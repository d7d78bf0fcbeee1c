import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openPath, row } from './ui';

/** The accessible name of the grid that holds the focused element, or null when focus is elsewhere (<body>). */
async function focusedGrid(page: Page): Promise<string | null> {
  // The e2e side has no DOM types: the check runs in the page from a script string.
  return page.evaluate<string | null>(`document.activeElement?.closest('[role="grid"]')?.getAttribute('aria-label') ?? null`);
}

/** Selects a row by clicking it and makes sure the keyboard is in its table. */
async function focusRow(p: Locator, name: string): Promise<void> {
  await row(p, name).click();
  if ((await focusedGrid(p.page())) === null) await p.locator('.table-body').focus();
}

test.describe('dialog and menu focus', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: 'focus/alpha.txt', Body: 'alpha' }));
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: 'focus/beta.txt', Body: 'beta' }));
  });

  test('closing a dialog by Escape, Cancel or its action returns focus to its opener', async ({ page, app }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'focus']);
    await focusRow(left, 'alpha.txt');

    await page.keyboard.press('F2');
    const rename = page.getByRole('dialog', { name: 'Rename or move' });
    await expect(rename).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(rename).toHaveCount(0);
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');

    await page.keyboard.press('F2');
    await rename.getByRole('button', { name: 'Cancel' }).click();
    await expect(rename).toHaveCount(0);
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');

    // From a toolbar button, after the dialog's action: focus goes back to that button.
    const newFolder = page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: /New folder/ });
    await newFolder.click();
    const mkdir = page.getByRole('dialog', { name: 'New folder' });
    await mkdir.getByLabel('Folder name').fill(`made-${Date.now().toString(36)}`);
    await mkdir.getByRole('button', { name: 'Create' }).click();
    await expect(mkdir).toHaveCount(0);
    await expect(newFolder).toBeFocused();
  });

  test('a destructive dialog starts on Cancel', async ({ page, app }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'focus']);
    await focusRow(left, 'beta.txt');
    await page.keyboard.press('Delete');
    const dialog = page.getByRole('dialog', { name: 'Delete' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    // Enter on the focused Cancel deletes nothing.
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect(row(left, 'beta.txt')).toBeVisible();
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');
  });

  test('Shift+F10 and the Menu key open the row menu, navigable by arrows, Home and End', async ({ page, app }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'focus']);
    await focusRow(left, 'alpha.txt');

    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Object actions' });
    await expect(menu).toBeVisible();
    const items = menu.getByRole('menuitem');
    await expect(items.first()).toBeFocused();
    await expect(items.first()).toHaveText(/Preview/);
    await page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitem', { name: /Copy to other pane/ })).toBeFocused();
    // Unavailable items (no other pane open) are in the arrow order, marked as such.
    await expect(menu.getByRole('menuitem', { name: /Copy to other pane/ })).toHaveAttribute('aria-disabled', 'true');
    await page.keyboard.press('End');
    await expect(items.last()).toBeFocused();
    await page.keyboard.press('Home');
    await expect(items.first()).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(items.last()).toBeFocused();
    await page.keyboard.press('d');
    await expect(menu.getByRole('menuitem', { name: /Download/ })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toHaveCount(0);
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');

    await page.keyboard.press('ContextMenu');
    await expect(menu).toBeVisible();
    await menu.getByRole('menuitem', { name: /Rename/ }).focus();
    await page.keyboard.press('Enter');
    const rename = page.getByRole('dialog', { name: 'Rename or move' });
    await expect(rename).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(rename).toHaveCount(0);
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');
  });
});
