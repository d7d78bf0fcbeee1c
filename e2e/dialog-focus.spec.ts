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
    // Wide enough for every toolbar button to show (narrower, New folder goes into More).
    await page.setViewportSize({ width: 1920, height: 1080 });
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

  test('the account test result shows beside Test connection, in view, in a short window', async ({ page, app, emulators }) => {
    await page.setViewportSize({ width: 1280, height: 640 });
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Accounts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accounts' });
    await dialog.getByRole('button', { name: '+ New account' }).click();
    await dialog.getByLabel('Kind').selectOption({ label: 'Amazon S3 / S3-compatible' });
    await dialog.getByLabel('Account name', { exact: true }).fill('view-test');
    await dialog.getByLabel('Endpoint URL').fill(emulators.handles.minio.endpoint);
    await dialog.getByLabel(/Path-style addressing/).check();
    await dialog.getByLabel('Access key ID').fill(emulators.handles.minio.accessKeyId);
    await dialog.getByLabel('Secret access key').fill('not-the-secret');
    const button = dialog.getByRole('button', { name: 'Test connection' });
    await button.click();
    const result = dialog.getByTestId('account-test-result');
    await expect(result).toHaveClass(/fail/, { timeout: 30_000 });
    await expect(result).toBeInViewport();
    await expect(button).toBeInViewport();
    // Beside the button: the result and the button share the dialog's footer.
    const [r, b] = await Promise.all([result.boundingBox(), button.boundingBox()]);
    expect(r && b && Math.abs(r.y + r.height / 2 - (b.y + b.height / 2))).toBeLessThan(60);
  });

  test('the cost confirmation asks only over the threshold, which the user sets, and says units in words', async ({ page, app, emulators }) => {
    const key = `threshold-${Date.now().toString(36)}.txt`;
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `focus/${key}`, Body: 'small' }));
    await page.goto(app.url);
    // A threshold of $0: every copy between accounts asks.
    await page.evaluate(`localStorage.setItem('skyferry.costConfirmUsd', '0')`);
    await page.reload();
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'focus']);
    await openPath(page, 'right', 'azurite', ['demo-backups']);
    await focusRow(left, key);
    await page.keyboard.press('F5');
    const dialog = page.getByRole('dialog', { name: 'Copy between accounts' });
    await expect(dialog).toBeVisible();
    const table = dialog.getByRole('table', { name: 'Estimated cost' });
    await expect(table).toContainText(/\b\d[\d,]* requests?\b/);
    await expect(table).not.toContainText('1,000 requests 0');
    // The user raises it back to $0.10 in the dialog: the same small copy no longer asks.
    const threshold = dialog.getByLabel(/Ask first when a copy between accounts would cost more than/);
    await expect(threshold).toHaveValue('0');
    await threshold.fill('0.10');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    expect(await page.evaluate(`localStorage.getItem('skyferry.costConfirmUsd')`)).toBe('0.1');
    await focusRow(left, key);
    await page.keyboard.press('F5');
    await expect(page.getByRole('region', { name: 'Transfers' }).getByTestId('job').first()).toContainText(key, { timeout: 30_000 });
    await expect(dialog).toHaveCount(0);
  });
});
