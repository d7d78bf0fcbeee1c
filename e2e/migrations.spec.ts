import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Storage } from '@google-cloud/storage';
import type { Locator, Page } from '@playwright/test';
import { expect, test, type EmulatorSet } from './fixtures';

/**
 * Migrations through the UI against MinIO, fake-gcs-server, Azurite and a local folder. Every test seeds its own
 * prefix (a run stamp in the name), so that it does not depend on another test or on an earlier run's data.
 */
const SRC = 'mig-src';
const GDST = 'mig-dst';
const ADST = 'mig-az';
const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');
const stamp = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

async function ensureBuckets(e: EmulatorSet): Promise<void> {
  await e.clients.s3.send(new CreateBucketCommand({ Bucket: SRC })).catch((err: unknown) => {
    if (!(err instanceof Error) || !/BucketAlready/.test(err.name)) throw err;
  });
  const [exists] = await e.clients.gcs.bucket(GDST).exists();
  if (!exists) await e.clients.gcs.createBucket(GDST);
  await e.clients.azure.getContainerClient(ADST).createIfNotExists();
}

async function s3Put(s3: S3Client, key: string, body: string, metadata?: Record<string, string>): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: SRC, Key: key, Body: body, ...(metadata ? { Metadata: metadata } : {}) }));
}

/** key (relative to prefix) -> MD5 of its bytes, read back with each SDK. */
async function s3Objects(s3: S3Client, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const page = await s3.send(new ListObjectsV2Command({ Bucket: SRC, Prefix: prefix }));
  for (const o of page.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: SRC, Key: o.Key }));
    if (!got.Body) throw new Error(`${o.Key ?? ''}: no body`);
    out[(o.Key ?? '').slice(prefix.length)] = md5(Buffer.from(await got.Body.transformToByteArray()));
  }
  return out;
}

async function gcsObjects(gcs: Storage, prefix: string): Promise<Record<string, string>> {
  const [files] = await gcs.bucket(GDST).getFiles({ prefix });
  const out: Record<string, string> = {};
  for (const f of files) out[f.name.slice(prefix.length)] = md5((await f.download())[0]);
  return out;
}

async function azObjects(az: BlobServiceClient, prefix: string): Promise<Record<string, string>> {
  const c = az.getContainerClient(ADST);
  const out: Record<string, string> = {};
  for await (const b of c.listBlobsFlat({ prefix })) out[b.name.slice(prefix.length)] = md5(await c.getBlobClient(b.name).downloadToBuffer());
  return out;
}

async function openMigrations(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Migrations' }).click();
  await expect(page.getByRole('form', { name: 'New migration' })).toBeVisible();
}

function stateOf(page: Page): Locator {
  return page.getByTestId('migration-state');
}

/** Waits for the open migration's state (the screenshot on failure shows the engine's message). */
async function waitState(page: Page, state: string, timeout = 90_000): Promise<void> {
  await expect(stateOf(page)).toHaveText(state, { timeout });
}

async function buildPlan(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Build plan' }).click();
  await waitState(page, 'Planned: nothing written yet');
}

function counts(page: Page, dest: string): Record<'new' | 'changed' | 'unchanged' | 'extra' | 'names' | 'metadata', Locator> {
  const table = page.getByRole('table', { name: `Plan for ${dest}`, exact: true });
  const c = (g: string): Locator => table.getByTestId(`count-${g}`);
  return { new: c('new'), changed: c('changed'), unchanged: c('unchanged'), extra: c('extra'), names: c('names'), metadata: c('metadata') };
}

async function expectCounts(page: Page, dest: string, want: Partial<Record<keyof ReturnType<typeof counts>, number>>): Promise<void> {
  const got = counts(page, dest);
  for (const [group, n] of Object.entries(want) as Array<[keyof ReturnType<typeof counts>, number]>) await expect(got[group], `${group} at ${dest}`).toHaveText(String(n));
}

test.describe('migrations', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await ensureBuckets(emulators);
  });

  test('S3 to GCS: plan counts, run, SDKs find both sides identical, re-plan shows zero differences, profile runs again', async ({ page, app, emulators, shot }) => {
    const { s3, gcs } = emulators.clients;
    const run = stamp();
    const srcPrefix = `p-${run}/`;
    const dstPrefix = `b-${run}/`;
    const dest = `gs://gcs/${GDST}/${dstPrefix}`;
    await s3Put(s3, `${srcPrefix}same.txt`, 'same bytes');
    await s3Put(s3, `${srcPrefix}changed.txt`, 'new version!');
    await s3Put(s3, `${srcPrefix}new/one.txt`, 'one', { 'content-owner': 'ana' });
    await s3Put(s3, `${srcPrefix}new/two <b>bold</b>.txt`, 'two');
    await gcs.bucket(GDST).file(`${dstPrefix}same.txt`).save('same bytes');
    await gcs.bucket(GDST).file(`${dstPrefix}changed.txt`).save('old');
    await gcs.bucket(GDST).file(`${dstPrefix}extra.txt`).save('only in gcs');

    await openMigrations(page, app.url);
    await page.getByLabel('Name (to save it as a profile)').fill(`nightly-${run}`);
    // The source through the pickers, the destination pasted as a location.
    await page.getByLabel('Source account', { exact: true }).selectOption('minio');
    await page.getByLabel('Source bucket', { exact: true }).selectOption(SRC);
    await page.getByLabel('Source folder', { exact: true }).fill(srcPrefix);
    await expect(page.getByLabel('Source location', { exact: true })).toHaveValue(`s3://minio/${SRC}/${srcPrefix}`);
    await page.getByLabel('Destination 1 location', { exact: true }).fill(dest);
    await expect(page.getByLabel('Destination 1 account', { exact: true })).toHaveValue('gcs');
    await buildPlan(page);

    await expectCounts(page, dest, { new: 2, changed: 1, unchanged: 1, extra: 1 });
    // Planning wrote nothing.
    expect(Object.keys(await gcsObjects(gcs, dstPrefix)).sort()).toEqual(['changed.txt', 'extra.txt', 'same.txt']);
    await page.getByRole('button', { name: `Show new at ${dest}` }).click();
    const newList = page.getByRole('table', { name: `New objects at ${dest}` });
    // A name that looks like markup is shown as text.
    await expect(newList.getByRole('cell', { name: 'new/two <b>bold</b>.txt', exact: true })).toBeVisible();
    await expect(page.locator('.plan-view b')).toHaveCount(0);
    await page.getByRole('button', { name: `Show changed at ${dest}` }).click();
    await expect(page.getByRole('table', { name: `Changed objects at ${dest}` }).getByRole('cell', { name: 'changed.txt', exact: true })).toBeVisible();
    await expect(page.getByRole('table', { name: `Estimated cost for ${dest}` }).or(page.getByTestId('cost-placeholder'))).toBeVisible();
    await shot('plan');

    await page.getByRole('button', { name: 'Save as profile' }).click();
    await expect(page.getByRole('region', { name: 'Saved profiles' }).getByText(`nightly-${run}`, { exact: true })).toBeVisible();

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitState(page, 'Completed');
    await expect(page.getByTestId('verification')).toHaveText(/zero differences/);
    await expect(page.getByTestId('total-copied')).toHaveText('3');
    await expect(page.getByRole('table', { name: 'Objects and their outcomes' }).getByRole('row')).toHaveCount(1 + 4);
    await shot('report');

    const source = await s3Objects(s3, srcPrefix);
    const copied = await gcsObjects(gcs, dstPrefix);
    delete copied['extra.txt'];
    expect(copied).toEqual(source);
    const [meta] = await gcs.bucket(GDST).file(`${dstPrefix}new/one.txt`).getMetadata();
    expect(meta.metadata?.['content-owner']).toBe('ana');

    await page.getByRole('button', { name: 'Plan again' }).click();
    await waitState(page, 'Planned: nothing written yet');
    await expectCounts(page, dest, { new: 0, changed: 0, unchanged: 4, extra: 1 });

    // A re-run of the saved profile transfers only what changed since.
    await s3Put(s3, `${srcPrefix}later.txt`, 'added later');
    await page.getByRole('button', { name: `Run nightly-${run} again` }).click();
    await waitState(page, 'Completed');
    await expect(page.getByTestId('total-copied')).toHaveText('1');
    await expect(page.getByTestId('total-skipped')).toHaveText('4');
    expect((await gcsObjects(gcs, dstPrefix))['later.txt']).toBe(md5('added later'));
  });

  test('a mirror whose deletions exceed the cap stops and asks; confirming deletes exactly the extras', async ({ page, app, emulators, shot }) => {
    const { s3, gcs } = emulators.clients;
    const run = stamp();
    const srcPrefix = `m-${run}/`;
    const dstPrefix = `m-${run}/`;
    const dest = `gs://gcs/${GDST}/${dstPrefix}`;
    await s3Put(s3, `${srcPrefix}keep.txt`, 'keep');
    await s3Put(s3, `${srcPrefix}fresh.txt`, 'fresh');
    for (const k of ['keep.txt', 'stale-1.txt', 'stale-2.txt', 'stale-3.txt']) await gcs.bucket(GDST).file(`${dstPrefix}${k}`).save(k === 'keep.txt' ? 'keep' : 'stale');

    await openMigrations(page, app.url);
    await page.getByLabel('Source location', { exact: true }).fill(`s3://minio/${SRC}/${srcPrefix}`);
    await page.getByLabel('Destination 1 location', { exact: true }).fill(dest);
    await page.getByLabel('Mirror: also remove what the source lacks').check();
    await page.getByLabel('Remove objects the source does not have').check();
    await page.getByLabel('Ask first above this % of the destination').fill('10');
    await buildPlan(page);
    await expectCounts(page, dest, { new: 1, unchanged: 1, extra: 3 });
    await expect(page.getByTestId('plan-deletions')).toContainText('3 objects would be deleted');
    await expect(page.getByTestId('plan-deletions')).toContainText('more than 10 % of the destination');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitState(page, 'Waiting for your confirmation');
    await expect(page.getByRole('alert').filter({ hasText: 'Nothing was deleted' })).toContainText('3 objects would be deleted');
    await shot('needs-confirmation');
    expect(Object.keys(await gcsObjects(gcs, dstPrefix)).sort()).toEqual(['fresh.txt', 'keep.txt', 'stale-1.txt', 'stale-2.txt', 'stale-3.txt']);

    await page.getByRole('button', { name: 'Confirm 3 deletions' }).click();
    await waitState(page, 'Completed');
    await expect(page.getByTestId('verification')).toHaveText(/zero differences/);
    await expect(page.getByTestId('total-deleted')).toHaveText('3');
    expect(await gcsObjects(gcs, dstPrefix)).toEqual(await s3Objects(s3, srcPrefix));
  });

  test('a name a local folder cannot hold is mapped, and shown in the plan and in the report (CSV and JSON export)', async ({ page, app, emulators, shot }) => {
    const { gcs } = emulators.clients;
    const run = stamp();
    // GCS keeps a backslash in a name (MinIO refuses it, Azure turns it into a slash); no local disk can hold it.
    const srcPrefix = `n-${run}/`;
    const folder = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-mig-'));
    const dest = `file://${folder}/`;
    await gcs.bucket(GDST).file(`${srcPrefix}back\\slash.txt`).save('escaped');
    await gcs.bucket(GDST).file(`${srcPrefix}plain.txt`).save('plain');

    await openMigrations(page, app.url);
    await page.getByLabel('Source location', { exact: true }).fill(`gs://gcs/${GDST}/${srcPrefix}`);
    await page.getByLabel('Destination 1 location', { exact: true }).fill(dest);
    await buildPlan(page);
    await expectCounts(page, dest, { new: 2, names: 1 });
    await page.getByRole('button', { name: `Show names at ${dest}` }).click();
    const names = page.getByRole('table', { name: `Names objects at ${dest}` });
    const renamed = names.getByRole('row').filter({ has: page.getByRole('cell', { name: 'back\\slash.txt', exact: true }) });
    await expect(renamed.getByRole('cell', { name: 'back\uff3cslash.txt', exact: true })).toBeVisible();
    await expect(renamed).toContainText('renamed');
    await shot('names-plan');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitState(page, 'Completed');
    await expect(page.getByTestId('verification')).toHaveText(/zero differences/);
    await expect(page.getByTestId('total-renamed')).toHaveText('1');
    const outcomes = page.getByRole('table', { name: 'Objects and their outcomes' });
    await expect(outcomes.getByRole('row').filter({ hasText: 'renamed to back\uff3cslash.txt' })).toHaveCount(1);
    await shot('names-report');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^skyferry-migration-.*\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('destination,source,target,outcome,size,renamedTo,metadataDropped,checksum,reason');
    expect(csv).toContain(',back\uff3cslash.txt,');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const report = JSON.parse(await readFile(await json.path(), 'utf8')) as { rows: Array<{ outcome: string; renamedTo?: string }> };
    expect(report.rows.map((r) => r.outcome)).toEqual(['copied', 'copied']);
    expect(report.rows.filter((r) => r.renamedTo !== undefined).map((r) => r.renamedTo)).toEqual(['back\uff3cslash.txt']);

    expect(await readFile(path.join(folder, 'back\uff3cslash.txt'), 'utf8')).toBe('escaped');
    expect(await readFile(path.join(folder, 'plain.txt'), 'utf8')).toBe('plain');
  });

  test('replicates one prefix to Azure and GCS at once', async ({ page, app, emulators, shot }) => {
    const { s3, gcs, azure } = emulators.clients;
    const run = stamp();
    const srcPrefix = `r-${run}/`;
    const az = `az://azurite/${ADST}/copy-${run}/`;
    const gs = `gs://gcs/${GDST}/replica-${run}/`;
    await s3Put(s3, `${srcPrefix}a.txt`, 'alpha', { 'content-owner': 'ana' });
    await s3Put(s3, `${srcPrefix}deep/b.txt`, 'bravo');
    await s3Put(s3, `${srcPrefix}deep/er/c.txt`, 'charlie');
    // Exactly 1,024 bytes under the Azure prefix, 3 more under the GCS one: too long there, reported, not copied.
    const room = 1024 - Buffer.byteLength(`copy-${run}/`);
    const long = `${'k'.repeat(200)}/`.repeat(4) + 'k'.repeat(room - 804);
    await s3Put(s3, `${srcPrefix}${long}`, 'long name');

    await openMigrations(page, app.url);
    await page.getByLabel('Source location', { exact: true }).fill(`s3://minio/${SRC}/${srcPrefix}`);
    await page.getByLabel('Destination 1 location', { exact: true }).fill(az);
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Destination 2 location', { exact: true }).fill(gs);
    await buildPlan(page);
    await expectCounts(page, az, { new: 4, changed: 0, unchanged: 0, extra: 0, names: 0, metadata: 1 });
    await expectCounts(page, gs, { new: 3, changed: 0, unchanged: 0, extra: 0, names: 1, metadata: 0 });
    await page.getByRole('button', { name: `Show names at ${gs}` }).click();
    const tooLong = page.getByRole('table', { name: `Names objects at ${gs}` }).getByRole('row').filter({ has: page.getByRole('cell', { name: long, exact: true }) });
    await expect(tooLong).toContainText('too long: not copied');
    await page.getByRole('button', { name: `Show metadata at ${az}` }).click();
    await expect(page.getByRole('table', { name: `Metadata objects at ${az}` })).toContainText('content-owner → content_owner');
    await shot('replicate-plan');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitState(page, 'Completed');
    await expect(page.getByTestId('total-copied')).toHaveText('7');
    await expect(page.getByTestId('total-not')).toHaveText('1');
    const outcomes = page.getByRole('table', { name: 'Objects and their outcomes' });
    await page.getByLabel('Show outcomes').selectOption('not-copied');
    await expect(outcomes.getByRole('row')).toHaveCount(2);
    await expect(outcomes.getByRole('row').nth(1)).toContainText('never truncated');
    await shot('replicate-report');
    await expect(page.getByRole('region', { name: 'Jobs of this migration' }).getByTestId('job')).toHaveCount(1);
    const source = await s3Objects(s3, srcPrefix);
    expect(await azObjects(azure, `copy-${run}/`)).toEqual(source);
    const withoutLong = { ...source };
    delete withoutLong[long];
    expect(await gcsObjects(gcs, `replica-${run}/`)).toEqual(withoutLong);
    const props = await azure.getContainerClient(ADST).getBlobClient(`copy-${run}/a.txt`).getProperties();
    expect(props.metadata).toEqual({ content_owner: 'ana' });
  });
});
