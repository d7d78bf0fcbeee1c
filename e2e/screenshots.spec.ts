import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { openPath, waitForJobs } from './ui';

/**
 * Writes the README's screenshots of the browse view into docs/screenshots/: a finished cross-cloud copy at 1024x700
 * and 1920x1080, light and dark. Runs only when asked: SKYFERRY_SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts
 */
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

test.skip(!process.env.SKYFERRY_SCREENSHOTS, 'set SKYFERRY_SCREENSHOTS=1 to retake the README screenshots');
test.use({ locale: 'en-US' });

test('README screenshots of the browse view', async ({ page, app, emulators }) => {
  test.setTimeout(300_000);
  await app.saveAccounts(emulators.accounts);
  await mkdir(OUT, { recursive: true });
  let copied = false;
  for (const size of [
    { width: 1024, height: 700 },
    { width: 1920, height: 1080 },
  ]) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(app.url);
      const left = await openPath(page, 'left', 'minio', ['demo-photos', 'images', 'cats']);
      await openPath(page, 'right', 'azurite', ['demo-backups']);
      const first = left.getByRole('row').filter({ hasText: '.jpg' }).first();
      await first.click();
      if (!copied) {
        await left.getByRole('grid').focus();
        await page.keyboard.press('F5');
        await waitForJobs(page);
        copied = true;
      } else {
        const toggle = page.getByRole('region', { name: 'Transfers' }).getByRole('button', { name: /Transfers/ });
        if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
      }
      await expect(page.getByRole('complementary', { name: 'Object details' })).toContainText('Content type');
      // Let the finished job's toast go, so that the picture shows the app and not a notification.
      for (const b of await page.getByRole('region', { name: 'Notifications' }).getByRole('button', { name: 'Dismiss' }).all()) await b.click();
      const file = path.join(OUT, `browse-${size.width}x${size.height}-${scheme}.png`);
      await page.screenshot({ path: file });
    }
  }
  await copyFile(path.join(OUT, 'browse-1920x1080-light.png'), path.join(OUT, 'browse-copy.png'));
});
