import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

test.describe('details panel', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('the metadata editor explains a bad name or value beside the field; a save shows the new modified time', async ({ page, app, emulators }) => {
    const prefix = `details-${Date.now().toString(36)}`;
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `${prefix}/one.txt`, Body: 'one' }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', prefix]);
    const before = await row(left, 'one.txt').getByRole('gridcell').nth(2).textContent();
    await row(left, 'one.txt').click();
    const panel = page.getByRole('complementary', { name: 'Object details' });
    await panel.getByRole('button', { name: '+ Add metadata' }).click();
    const name = panel.getByLabel('Metadata name 1');
    const value = panel.getByLabel('Metadata value 1');
    await name.fill('bad key');
    await value.fill('café');
    await panel.getByRole('button', { name: 'Save metadata' }).click();
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await expect(name).toHaveAccessibleDescription(/spaces/);
    await expect(value).toHaveAccessibleDescription(/printable ASCII/);
    await expect(panel).not.toContainText('ERR_INVALID');

    // The table shows minutes: save in the next minute, so that the self-copy's new time shows as a change.
    await page.waitForTimeout(60_500 - (Date.now() % 60_000));
    await name.fill('owner');
    await value.fill('team-a');
    await panel.getByRole('button', { name: 'Save metadata' }).click();
    await expect(panel.getByRole('status')).toHaveText('Metadata saved.');
    await expect(row(left, 'one.txt').getByRole('gridcell').nth(2)).not.toHaveText(before ?? '');
    const head = await emulators.clients.s3.send(new HeadObjectCommand({ Bucket: emulators.buckets.s3, Key: `${prefix}/one.txt` }));
    expect(head.Metadata).toEqual({ owner: 'team-a' });
  });

  test('several selected: a summary, and one metadata change for all as a job', async ({ page, app, emulators }) => {
    const prefix = `bulk-${Date.now().toString(36)}`;
    const s3 = emulators.clients.s3;
    await s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `${prefix}/a.txt`, Body: 'a'.repeat(1024), Metadata: { keep: 'a' } }));
    await s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `${prefix}/b.txt`, Body: 'b'.repeat(2048), Metadata: { keep: 'b' } }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', prefix]);
    await row(left, 'a.txt').click();
    await row(left, 'b.txt').click({ modifiers: ['Shift'] });
    const panel = page.getByRole('complementary', { name: 'Selection details' });
    const summary = panel.getByTestId('selection-summary');
    await expect(summary).toContainText('Objects2');
    await expect(summary).toContainText('3.0 KiB');
    await expect(summary).toContainText(/STANDARD|Default/);

    await panel.getByLabel('Cache control').fill('max-age=60');
    await panel.getByLabel('Name').fill('bad name');
    await panel.getByRole('button', { name: 'Apply to 2 objects' }).click();
    await expect(panel.getByLabel('Name')).toHaveAccessibleDescription(/spaces/);
    await panel.getByLabel('Name').fill('reviewed');
    await panel.getByLabel('Value').fill('yes');
    await panel.getByRole('button', { name: 'Apply to 2 objects' }).click();
    // The job shows in Transfers (the panel's own note may be gone by then if the finished job refreshed the pane).
    await expect(page.getByRole('region', { name: 'Transfers' }).getByTestId('job').first()).toContainText('Change metadata of 2 items');
    await waitForJobs(page);
    for (const key of ['a', 'b']) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: emulators.buckets.s3, Key: `${prefix}/${key}.txt` }));
      expect(head.CacheControl).toBe('max-age=60');
      expect(head.Metadata).toEqual({ keep: key, reviewed: 'yes' });
    }
  });
});
