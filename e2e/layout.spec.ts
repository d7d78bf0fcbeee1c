import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openPath, pane, row, waitForJobs } from './ui';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (!b) throw new Error('no bounding box');
  return b;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The boxes of every visible control in the toolbar and the panes. */
async function controlBoxes(page: Page): Promise<Box[]> {
  const controls = await page.locator('.app-head button:visible, .app-head select:visible, .pane button:visible, .pane input:visible, .pane select:visible, .table-body').all();
  const boxes: Box[] = [];
  for (const c of controls) {
    const b = await c.boundingBox();
    if (b && b.width > 0 && b.height > 0) boxes.push(b);
  }
  return boxes;
}

test.describe('layout', () => {
  test('1024x640 to 1920x1080: panes keep their rows with Transfers open and an object selected', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    for (const size of [
      { width: 1024, height: 640 },
      { width: 1024, height: 700 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      await page.goto(app.url);
      const left = await openPath(page, 'left', 'minio', ['demo-photos', 'data', 'csv']);
      await row(left, 'table-1.csv').click();
      const transfers = page.getByRole('region', { name: 'Transfers' });
      const toggle = transfers.getByRole('button', { name: /Transfers/ });
      if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
      await expect(transfers.getByRole('list')).toBeVisible();
      for (const side of ['left', 'right'] as const) {
        const p = pane(page, side);
        expect((await box(p)).height, `${side} pane at ${size.width}x${size.height}`).toBeGreaterThan(220);
      }
      // At least six rows of the table are on screen.
      const body = await box(left.locator('.table-body'));
      let onScreen = 0;
      for (const r of await left.locator('[role=row][data-key]').all()) {
        const b = await r.boundingBox();
        if (b && b.y >= body.y && b.y + b.height <= body.y + body.height) onScreen += 1;
      }
      expect(onScreen, `rows on screen at ${size.width}x${size.height}`).toBeGreaterThanOrEqual(6);
      // The toolbar keeps to one row: every button (and More) sits on the same line.
      const tops = new Set<number>();
      for (const b of await page.getByRole('toolbar', { name: 'Actions' }).locator(':scope > button, :scope > .more-wrap > button').all()) tops.add(Math.round((await box(b)).y));
      expect(tops.size, `toolbar rows at ${size.width}x${size.height}`).toBe(1);
      const head = await box(page.locator('.app-head'));
      expect(head.height).toBeLessThan(60);
      await shot(`${size.width}x${size.height}`);
    }
  });

  test('what the toolbar has no room for is under More, and works from there', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(app.url);
    await openPath(page, 'left', 'minio', ['demo-photos']);
    const more = page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'More' });
    await expect(more).toBeVisible();
    await more.click();
    const menu = page.getByRole('menu', { name: 'More actions' });
    await expect(menu).toBeVisible();
    await expect.poll(() => page.evaluate("document.activeElement?.closest('[role=menu]') !== null")).toBe(true);
    await page.keyboard.press('Escape');
    await expect(menu).toHaveCount(0);
    await expect(more).toBeFocused();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await expect(more).toHaveCount(0);
  });

  test('splitters resize the panes and the details panel; sizes come back after a reload', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(app.url);
    await openPath(page, 'left', 'minio', ['demo-photos']);
    const split = page.getByRole('separator', { name: 'Resize the left and right panes' });
    await expect(split).toHaveAttribute('aria-valuenow', /\d/);
    const before = (await box(pane(page, 'left'))).width;
    await split.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => (await box(pane(page, 'left'))).width).toBeLessThan(before - 30);
    const narrowed = (await box(pane(page, 'left'))).width;
    // A mouse drag on the details splitter widens the details panel.
    const details = page.getByRole('separator', { name: 'Resize the details panel' });
    const d = await box(details);
    const detailsBefore = (await box(page.getByRole('complementary', { name: 'Object details' }))).width;
    await page.mouse.move(d.x + d.width / 2, d.y + d.height / 2);
    await page.mouse.down();
    await page.mouse.move(d.x - 120, d.y + d.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => (await box(page.getByRole('complementary', { name: 'Object details' }))).width).toBeGreaterThan(detailsBefore + 60);
    await page.reload();
    await expect(pane(page, 'left')).toBeVisible();
    await expect.poll(async () => Math.round((await box(pane(page, 'left'))).width)).toBe(Math.round(narrowed));
  });

  test('Transfers is a one-line bar until a job starts; toasts do not cover controls', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(app.url);
    const transfers = page.getByRole('region', { name: 'Transfers' });
    const toggle = transfers.getByRole('button', { name: /Transfers/ });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect((await box(transfers)).height).toBeLessThan(50);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'web']);
    await openPath(page, 'right', 'gcs', ['demo-archive']);
    await row(left, 'index.html').click();
    await left.locator('.table-body').focus();
    await page.keyboard.press('F5');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await waitForJobs(page);
    const toast = page.getByRole('region', { name: 'Notifications' }).getByRole('status').first();
    await expect(toast).toBeVisible();
    const t = await box(toast);
    for (const c of await controlBoxes(page)) expect(overlaps(t, c), `toast over a control at ${JSON.stringify(c)}`).toBe(false);
    await shot('toast');
    // Collapsing is remembered for the session; the bar keeps one line.
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect((await box(transfers)).height).toBeLessThan(50);
  });

  test('column chooser: columns shown, widths dragged, both remembered; Type speaks one language', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'images', 'cats']);
    const headers = left.getByRole('columnheader');
    await expect(headers).toHaveText([/Name/, /Size/, /Modified/, /Type/]);
    // Friendly kinds, from the content type or the extension, never a raw MIME type.
    const pngRow = left.getByRole('row').filter({ hasText: '.png' }).first();
    await expect(pngRow.locator('.col-type')).toHaveText('PNG image');
    await expect(left.locator('.col-type', { hasText: '/' })).toHaveCount(0);
    const chooser = left.getByRole('button', { name: 'Columns' });
    await chooser.click();
    const group = left.getByRole('group', { name: 'Columns' });
    await group.getByRole('checkbox', { name: 'ETag' }).check();
    await group.getByRole('checkbox', { name: 'Class' }).check();
    await group.getByRole('checkbox', { name: 'Modified' }).uncheck();
    await expect(group.getByRole('checkbox', { name: 'Name' })).toBeDisabled();
    await page.keyboard.press('Escape');
    await expect(group).toHaveCount(0);
    await expect(headers).toHaveText([/Name/, /Size/, /Class/, /Type/, /ETag/]);
    await expect(left.getByRole('row').nth(1).locator('.col-etag')).toHaveText(/^[0-9a-f]{32}/);
    // Keyboard users sort from the same menu.
    await chooser.click();
    await group.getByRole('combobox', { name: 'Sort by' }).selectOption('size:desc');
    await expect(left.getByRole('columnheader', { name: /Size/ })).toHaveAttribute('aria-sort', 'descending');
    await page.keyboard.press('Escape');
    // Drag the Size column wider.
    const sizeHead = left.getByRole('columnheader', { name: /Size/ });
    const before = (await box(sizeHead)).width;
    const handle = await box(left.getByTestId('resize-size'));
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + 80, handle.y + handle.height / 2, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => (await box(sizeHead)).width).toBeGreaterThan(before + 60);
    const widened = Math.round((await box(sizeHead)).width);
    await page.reload();
    const again = await openPath(page, 'left', 'minio', ['demo-photos']);
    await expect(again.getByRole('columnheader')).toHaveText([/Name/, /Size/, /Class/, /Type/, /ETag/]);
    expect(Math.round((await box(again.getByRole('columnheader', { name: /Size/ }))).width)).toBe(widened);
    await expect(row(again, 'images').locator('.col-type')).toHaveText('Folder');
  });

  test('tokens, icons and plain words: 1 folder, no doubled labels', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    // One set of token names for light and dark.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const tokens = (await page.evaluate(
        "['--space-2', '--text-sm', '--radius', '--bg', '--text', '--select', '--select-text'].map((t) => getComputedStyle(document.documentElement).getPropertyValue(t).trim())",
      )) as string[];
      expect(tokens.every((t) => t !== ''), `${scheme}: ${tokens.join(', ')}`).toBe(true);
    }
    const left = await openPath(page, 'left', 'minio', ['demo-photos']);
    // Icons on the toolbar's buttons and on the table's file kinds.
    const toolbarButtons = page.getByRole('toolbar', { name: 'Actions' }).locator(':scope > button');
    const n = await toolbarButtons.count();
    expect(n).toBeGreaterThan(3);
    for (let i = 0; i < n; i++) await expect(toolbarButtons.nth(i).locator('svg.lucide')).toHaveCount(1);
    await expect(row(left, 'images').locator('svg.kind-folder')).toHaveCount(1);
    // One folder selected: counted as a folder, no "0 B + 1 folders".
    await row(left, 'images').click();
    await expect(left.getByTestId('left-status')).toContainText('1 selected · 1 folder');
    await expect(left.getByTestId('left-status')).not.toHaveText(/(^|[^0-9,])1 folders/);
    await expect(left.getByTestId('left-status')).not.toContainText('0 B');
  });

  test('the retention action stays in view beside its summary', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    const s3 = emulators.clients.s3;
    const folder = `layout-retention-${Date.now()}/`;
    for (let i = 0; i < 12; i++) await s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `${folder}old-${i}.log`, Body: Buffer.alloc(100 + i, 1) }));
    await new Promise((r) => setTimeout(r, 1100));
    await page.setViewportSize({ width: 1024, height: 640 });
    await page.goto(app.url);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Costs' }).click();
    await page.getByRole('tab', { name: 'Retention' }).click();
    await page.getByRole('combobox', { name: 'Account', exact: true }).selectOption('minio');
    await expect(page.getByRole('combobox', { name: 'Bucket', exact: true }).locator('option', { hasText: emulators.buckets.s3 })).toHaveCount(1);
    await page.getByRole('combobox', { name: 'Bucket', exact: true }).selectOption(emulators.buckets.s3);
    await page.getByRole('textbox', { name: 'Prefix (optional)' }).fill(folder);
    await page.getByRole('spinbutton', { name: 'Older than (days)' }).fill('0');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const matched = page.getByTestId('retention-matched');
    await expect(matched).toContainText('12');
    await matched.scrollIntoViewIfNeeded();
    const action = page.getByTestId('retention-preview').getByRole('button', { name: 'Delete…' });
    await expect(action).toBeInViewport();
    // Beside the summary: its top within the figures' block, not below the sample table.
    const summary = await box(page.getByTestId('retention-preview').locator('.cost-totals').first());
    const a = await box(action);
    expect(a.y).toBeLessThan(summary.y + summary.height);
    const table = await box(page.getByRole('table', { name: 'Largest matching objects' }));
    expect(a.y).toBeLessThan(table.y);
  });
});
