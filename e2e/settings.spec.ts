import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * The settings a user sets once and leaves: the bandwidth limit for all transfers (upload:download, a timetable),
 * a schedule on a saved profile, and keeping a local folder in sync. Each is set through the UI, read back as the
 * user sees it, and checked in the engine. Folder to folder on the built-in local account: no emulator needed.
 */
async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
}

async function saveLimit(page: Page, text: string, toast: string): Promise<void> {
  await openSettings(page);
  const field = page.getByLabel('Bandwidth limit for all transfers');
  await field.fill(text);
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: toast }).last()).toBeVisible();
}

test('the bandwidth limit: upload and download apart, a timetable, and off again', async ({ page, app }) => {
  await page.goto(app.url);

  // A typing mistake is shown at once and cannot be saved.
  await openSettings(page);
  await page.getByLabel('Bandwidth limit for all transfers').fill('fast');
  await expect(page.getByRole('dialog', { name: 'Settings' }).locator('.field-error')).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Save' })).toBeDisabled();
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();

  await saveLimit(page, '512k:2M', 'Bandwidth limit saved');
  await openSettings(page);
  await expect(page.getByLabel('Bandwidth limit for all transfers')).toHaveValue('512k:2M');
  await expect(page.getByLabel('Limit in force')).toHaveText(/Now: upload 512 KiB\/s, download 2 MiB\/s/);
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();
  expect((await app.invoke('settings:get', {})).bandwidth).toMatchObject({ limit: '512k:2M', now: { up: 512 * 1024, down: 2 * 1024 * 1024 } });

  // A weekly timetable: the limit in force now, and when it changes next.
  await saveLimit(page, 'Mon-08:00,512k Sat-00:00,off', 'Bandwidth limit saved');
  const timetable = (await app.invoke('settings:get', {})).bandwidth;
  expect(timetable.limit).toBe('Mon-08:00,512k Sat-00:00,off');
  expect(timetable.nextChange).toBeDefined();
  await openSettings(page);
  await expect(page.getByLabel('Limit in force')).toHaveText(/Now: upload .*, download .* · changes at /);
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();

  await saveLimit(page, 'off', 'No bandwidth limit');
  expect((await app.invoke('settings:get', {})).bandwidth.now).toEqual({ up: null, down: null });
});

test('a schedule on a saved profile, and keeping its folder in sync from the Migrations pane', async ({ page, app }) => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-settings-'));
  const folder = path.join(base, 'notes');
  const backup = path.join(base, 'backup');
  await mkdir(folder);
  await mkdir(backup);
  await writeFile(path.join(folder, 'first.txt'), 'there before');
  await app.invoke('profiles:save', { name: 'notes', request: { source: `file://${folder}/`, destinations: [`file://${backup}/`] } });

  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Migrations' }).click();

  // Weekly, Wednesday at 03:30.
  await page.getByRole('button', { name: 'Schedules of notes' }).click();
  await page.getByLabel('How often to run notes').selectOption('weekly');
  await page.getByLabel('Day of the week').selectOption('Wednesday');
  await page.getByLabel('Time of day').fill('03:30');
  await page.getByRole('button', { name: 'Add schedule' }).click();
  const editor = page.getByLabel('Schedules of notes', { exact: true }).and(page.locator('.schedule-editor'));
  await expect(editor.getByRole('listitem')).toHaveText(/Runs every Wednesday at 03:30 · next /);
  await expect(page.getByRole('button', { name: 'Schedules of notes' })).toHaveText('Scheduled (1)');
  const schedules = await app.invoke('schedules:list', {});
  expect(schedules).toHaveLength(1);
  expect(schedules[0]).toMatchObject({ target: { type: 'profile', name: 'notes' }, when: { kind: 'weekly', day: 3, time: '03:30' } });
  expect(new Date(schedules[0]?.nextRun ?? '').getDay()).toBe(3);

  // Keep in sync: the pane shows the watched folder; a file written there arrives.
  await page.getByRole('button', { name: 'Keep notes in sync' }).click();
  const status = page.getByRole('status', { name: 'Sync of notes' });
  await expect(status).toContainText(`Keeping ${folder} in sync`);
  await expect(status).toContainText('Watching for changes', { timeout: 30_000 });
  expect(await app.invoke('sync:list', {})).toEqual([expect.objectContaining({ profile: 'notes', folder, state: 'watching' })]);
  expect(await readFile(path.join(backup, 'first.txt'), 'utf8')).toBe('there before');
  await writeFile(path.join(folder, 'second.txt'), 'written while watched');
  await expect.poll(() => readFile(path.join(backup, 'second.txt'), 'utf8').catch(() => null), { timeout: 30_000 }).toBe('written while watched');
  await expect(status).toContainText('last sync');

  await page.getByRole('button', { name: 'Stop keeping notes in sync' }).click();
  await expect(page.getByRole('button', { name: 'Keep notes in sync' })).toBeVisible();
  expect(await app.invoke('sync:list', {})).toEqual([]);

  await page.getByRole('button', { name: /Remove the schedule every Wednesday at 03:30 of notes/ }).click();
  await expect(page.getByRole('button', { name: 'Schedules of notes' })).toHaveText('Schedule…');
  expect(await app.invoke('schedules:list', {})).toEqual([]);
});
