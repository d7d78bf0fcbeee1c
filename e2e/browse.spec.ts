import { PutObjectCommand } from '@aws-sdk/client-s3';
import { expect, test } from './fixtures';
import { openPath, pane, row } from './ui';

test.describe('browsing', () => {
  test('nested prefixes, breadcrumbs, up and back', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'documents', '2024', 'q3']);
    await expect(row(left, 'report-8.pdf')).toBeVisible();
    await expect(left.getByTestId('left-status')).toContainText('16 files');
    const crumbs = left.getByRole('navigation', { name: 'Location' });
    await expect(crumbs).toHaveText(/minio.*demo-photos.*documents.*2024.*q3/);
    await shot('nested');

    // A breadcrumb jumps up two levels; Backspace goes up one; Back returns.
    await crumbs.getByRole('button', { name: 'documents' }).click();
    await expect(row(left, '2023')).toBeVisible();
    await left.locator('.table-body').focus();
    await page.keyboard.press('Backspace');
    await expect(row(left, 'images')).toBeVisible();
    await left.getByRole('button', { name: 'Back' }).click();
    await expect(row(left, '2024')).toBeVisible();

    // Enter opens the focused folder; type-ahead finds it by name.
    await left.locator('.table-body').focus();
    await page.keyboard.type('2024');
    await page.keyboard.press('Enter');
    await expect(crumbs.locator('[aria-current]')).toHaveText('2024');

    // The client-side filter narrows the loaded rows; the server-side prefix asks the store.
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await row(left, 'images').dblclick();
    await row(left, 'cats').dblclick();
    await left.getByLabel('Filter loaded names containing').fill('.png');
    await expect(left.getByTestId('left-status')).toContainText('showing 5 of 30');
    await left.getByLabel('Filter loaded names containing').fill('');
    await left.getByLabel('Names starting with (asks the server)').fill('IMG_02');
    await expect(left.getByTestId('left-status')).toContainText('0 folders, 8 files');
  });

  test('sorts by a column and selects with mouse and keyboard', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'data', 'csv']);
    await left.getByRole('button', { name: 'Sort by Size' }).click();
    await left.getByRole('button', { name: 'Sort by Size' }).click();
    await expect(left.getByRole('row').nth(1)).toContainText('table-20.csv');
    await row(left, 'table-20.csv').click();
    await row(left, 'table-18.csv').click({ modifiers: ['Shift'] });
    await expect(left.getByTestId('left-status')).toContainText('3 selected');
    await row(left, 'table-1.csv').click({ modifiers: ['ControlOrMeta'] });
    await expect(left.getByTestId('left-status')).toContainText('4 selected');
    await left.locator('.table-body').focus();
    await page.keyboard.press('ControlOrMeta+a');
    await expect(left.getByTestId('left-status')).toContainText('20 selected');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await expect(left.getByTestId('left-status')).toContainText('2 selected · 22.9 KiB');
  });

  test('a key made of HTML shows as text and runs nothing', async ({ page, app, emulators, shot }) => {
    const xss = '<img src=x onerror=alert(1)>';
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: xss, Body: 'xss', Metadata: { note: '<b>bold</b>' } }));
    const nested = '"><svg onload=alert(2)>.txt';
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `xss-folder/${nested}`, Body: 'svg' }));
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos']);
    const xssRow = row(left, xss);
    await expect(xssRow).toBeVisible();
    await xssRow.click();
    const details = page.getByRole('complementary', { name: 'Object details' });
    await expect(details.getByRole('heading')).toHaveText(xss);
    await expect(details).toContainText('<b>bold</b>');
    await row(pane(page, 'left'), 'xss-folder').dblclick();
    await expect(row(left, nested)).toBeVisible();
    await row(left, nested).click();
    await expect(details.getByRole('heading')).toHaveText(nested);
    await shot('xss-as-text');
    // The app's own icons are lucide SVGs; anything else would have come from a key.
    expect(await page.locator('img, svg:not(.lucide), script:not([src]), b').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  test('scrolls a bucket of 100,000 keys to its end', async ({ page, app, emulators, manyKeys, shot }) => {
    test.setTimeout(900_000);
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    const right = await openPath(page, 'right', manyKeys.account, [manyKeys.bucket]);
    const status = right.getByTestId('right-status');
    await expect(status).toContainText('1,000 files');
    const body = right.locator('.table-body');
    await body.focus();
    const started = Date.now();
    // End jumps to the last loaded row; each jump brings the next pages in as the user would by scrolling.
    while (!(await status.textContent())?.includes(`${manyKeys.count.toLocaleString('en-US')} files`)) {
      await page.keyboard.press('End');
      await page.waitForTimeout(200);
      expect(Date.now() - started).toBeLessThan(800_000);
    }
    await expect(status).not.toContainText('more as you scroll');
    await page.keyboard.press('End');
    await expect(row(right, 'file-099999.txt')).toBeVisible();
    // Only a screenful of rows is in the DOM, whatever the listing's length.
    expect(await right.locator('[role=row][data-key]').count()).toBeLessThan(200);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`[e2e] scrolled ${manyKeys.count} keys to the end in ${seconds} s`);
    await shot('many-keys-end');
  });
});
