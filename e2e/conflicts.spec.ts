import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

/**
 * Nothing is replaced without the user saying so: a rename onto an existing name, a file dropped onto a folder
 * holding the same name and a download over an existing local file each ask first, and each choice does what it
 * says (bytes read back with the S3 SDK or from disk).
 */
async function s3Text(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch {
    return undefined;
  }
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body ? await res.Body.transformToString() : undefined;
}

function conflictDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: /already exists?|^Replace / });
}

function jobs(page: Page): Locator {
  return page.getByRole('region', { name: 'Transfers' }).getByTestId('job');
}

/** Waits for one more job than `before` in the transfers panel, then for it to finish. */
async function waitForNewJob(page: Page, before: number): Promise<void> {
  await expect(jobs(page)).toHaveCount(before + 1, { timeout: 60_000 });
  await waitForJobs(page);
}

async function choose(page: Page, choice: RegExp): Promise<void> {
  const dialog = conflictDialog(page);
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: choice }).check();
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog).toHaveCount(0);
}

test.describe('conflicts ask before anything is replaced', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('a rename onto an existing name asks; cancel keeps both, keep both writes the next free name', async ({ page, app, emulators, shot }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    const stamp = Date.now().toString(36);
    const folder = `conflict-rename-${stamp}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}/draft.docx`, Body: 'the draft' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}/final.docx`, Body: 'the final' }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [bucket, folder]);
    const rename = async (): Promise<void> => {
      await row(left, 'draft.docx').click();
      await left.locator('.table-body').focus();
      await page.keyboard.press('F2');
      const dialog = page.getByRole('dialog', { name: 'Rename or move' });
      await dialog.getByLabel('New name').fill('final.docx');
      await dialog.getByRole('button', { name: 'Rename' }).click();
    };

    await rename();
    const dialog = conflictDialog(page);
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading')).toHaveText('final.docx already exists');
    // Both sides: 9 bytes each, with their dates.
    await expect(dialog.getByRole('row', { name: /final\.docx/ })).toContainText('9 B');
    await shot('rename-conflict');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await page.getByRole('dialog', { name: 'Rename or move' }).getByRole('button', { name: 'Cancel' }).click();
    expect(await s3Text(s3, bucket, `${folder}/draft.docx`)).toBe('the draft');
    expect(await s3Text(s3, bucket, `${folder}/final.docx`)).toBe('the final');

    const before = await jobs(page).count();
    await rename();
    await choose(page, /^Keep both/);
    await waitForNewJob(page, before);
    expect(await s3Text(s3, bucket, `${folder}/final.docx`)).toBe('the final');
    expect(await s3Text(s3, bucket, `${folder}/final (1).docx`)).toBe('the draft');
    expect(await s3Text(s3, bucket, `${folder}/draft.docx`)).toBeUndefined();
  });

  test('a rename confirmed with Replace replaces the target and removes the old name', async ({ page, app, emulators }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    const folder = `conflict-replace-${Date.now().toString(36)}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}/draft.docx`, Body: 'the draft' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}/final.docx`, Body: 'the final' }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [bucket, folder]);
    await row(left, 'draft.docx').click();
    await left.locator('.table-body').focus();
    await page.keyboard.press('F2');
    await page.getByRole('dialog', { name: 'Rename or move' }).getByLabel('New name').fill('final.docx');
    await page.getByRole('dialog', { name: 'Rename or move' }).getByRole('button', { name: 'Rename' }).click();
    await choose(page, /^Replace \(/);
    await waitForNewJob(page, 0);
    expect(await s3Text(s3, bucket, `${folder}/final.docx`)).toBe('the draft');
    expect(await s3Text(s3, bucket, `${folder}/draft.docx`)).toBeUndefined();
  });

  test('a file dropped onto a folder holding its name asks: skip, keep both, replace', async ({ page, app, emulators, shot }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    const folder = `conflict-drop-${Date.now().toString(36)}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}/same.txt`, Body: 'already here' }));
    await page.goto(app.url);
    const right = await openPath(page, 'right', 'minio', [bucket, folder]);
    const drop = async (text: string): Promise<void> => {
      const dt = await page.evaluateHandle(`(() => {
        const d = new DataTransfer();
        d.items.add(new File([${JSON.stringify(text)}], 'same.txt', { type: 'text/plain' }));
        return d;
      })()`);
      await right.dispatchEvent('dragover', { dataTransfer: dt });
      await right.dispatchEvent('drop', { dataTransfer: dt });
    };

    await drop('dropped first');
    await expect(conflictDialog(page)).toBeVisible({ timeout: 60_000 });
    await shot('drop-conflict');
    await choose(page, /^Skip/);
    await waitForNewJob(page, 0);
    expect(await s3Text(s3, bucket, `${folder}/same.txt`)).toBe('already here');
    expect(await s3Text(s3, bucket, `${folder}/same (1).txt`)).toBeUndefined();

    await drop('dropped second');
    await choose(page, /^Keep both/);
    await waitForNewJob(page, 1);
    await expect(row(right, 'same (1).txt')).toBeVisible({ timeout: 60_000 });
    expect(await s3Text(s3, bucket, `${folder}/same.txt`)).toBe('already here');
    expect(await s3Text(s3, bucket, `${folder}/same (1).txt`)).toBe('dropped second');

    await drop('dropped third');
    await choose(page, /^Replace \(/);
    await waitForNewJob(page, 2);
    expect(await s3Text(s3, bucket, `${folder}/same.txt`)).toBe('dropped third');
    expect(await s3Text(s3, bucket, `${folder}/same (1).txt`)).toBe('dropped second');
  });

  test('a download over an existing local file asks: skip keeps it, keep both adds a copy, replace writes the bytes', async ({ page, app, emulators }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-conflict-dl-'));
    await writeFile(path.join(dir, 'table-3.csv'), 'my local edits');
    const remote = await s3Text(s3, bucket, 'data/csv/table-3.csv');
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [bucket, 'data', 'csv']);
    const download = async (): Promise<void> => {
      await row(left, 'table-3.csv').click();
      await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Download…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Download' });
      await dialog.getByLabel('Folder on this computer').fill(dir);
      await dialog.getByRole('button', { name: 'Download' }).click();
    };
    const answered = async (n: number): Promise<void> => {
      await expect(page.getByRole('dialog', { name: 'Download' })).toHaveCount(0);
      await waitForNewJob(page, n);
    };

    await download();
    await expect(conflictDialog(page).getByRole('heading')).toHaveText('Replace table-3.csv?');
    await choose(page, /^Skip/);
    await answered(0);
    expect(await readFile(path.join(dir, 'table-3.csv'), 'utf8')).toBe('my local edits');

    await download();
    await choose(page, /^Keep both/);
    await answered(1);
    expect(await readFile(path.join(dir, 'table-3.csv'), 'utf8')).toBe('my local edits');
    expect(await readFile(path.join(dir, 'table-3 (1).csv'), 'utf8')).toBe(remote);

    await download();
    await choose(page, /^Replace \(/);
    await answered(2);
    expect(await readFile(path.join(dir, 'table-3.csv'), 'utf8')).toBe(remote);
    expect((await readdir(dir)).sort()).toEqual(['table-3 (1).csv', 'table-3.csv']);
  });
});
