import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect, test } from './fixtures';
import { openPath, row } from './ui';

/**
 * Object versions: in a versioned MinIO bucket the user opens the versions of an object from its details, restores
 * an older one, and the object's bytes are that version's again (read with the SDK); the newer version is kept.
 */
async function s3Text(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`${key}: no body`);
  return res.Body.transformToString();
}

test.describe('object versions', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('restores an older version of an object in a versioned MinIO bucket', async ({ page, app, emulators, shot }) => {
    const s3 = emulators.clients.s3;
    const bucket = `versions-${Date.now().toString(36)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'notes.txt', Body: 'the first draft' }));
    // Versions a second apart read apart in the list (dates with seconds).
    await new Promise((r) => setTimeout(r, 1100));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'notes.txt', Body: 'the second draft, longer' }));

    await page.goto(app.url);
    const left = await openPath(page, 'left', emulators.accountNames.s3, [bucket]);
    await row(left, 'notes.txt').click();
    const details = page.getByRole('complementary', { name: 'Object details' });
    await details.locator('summary', { hasText: /^Versions/ }).click();
    const table = details.getByRole('table', { name: 'Versions of notes.txt' });
    await expect(table.getByRole('row')).toHaveCount(3);
    await expect(table.getByRole('row').nth(1)).toContainText('(current)');
    await shot('versions-listed');

    await table.getByRole('row').nth(2).getByRole('button', { name: 'Restore' }).click();
    await expect(table.getByRole('row')).toHaveCount(4);
    await expect(table.getByRole('row').nth(1)).toContainText('(current)');
    await shot('after-restore');

    expect(await s3Text(s3, bucket, 'notes.txt')).toBe('the first draft');
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'notes.txt' }));
    expect(versions.Versions).toHaveLength(3);
  });
});
