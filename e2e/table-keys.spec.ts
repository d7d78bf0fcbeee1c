import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openPath, pane, row } from './ui';

/** The key of the focused row of a pane's table (what aria-activedescendant points at). */
async function focusedKey(page: Page, side: 'left' | 'right'): Promise<string | null> {
  return (await page.evaluate(
    `(() => { const id = document.getElementById('${side}-table')?.getAttribute('aria-activedescendant'); return id ? (document.getElementById(id)?.dataset.key ?? null) : null; })()`,
  )) as string | null;
}

test.describe('object table keyboard', () => {
  test('arrows, Home and End move the selection; Tab leaves the table; one Tab stop in it', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'data', 'csv']);
    await openPath(page, 'right', 'minio', ['demo-photos']);
    const grid = left.getByRole('grid', { name: 'Left pane objects' });
    await grid.focus();
    await page.keyboard.press('Home');
    expect(await focusedKey(page, 'left')).toBe('data/csv/table-1.csv');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focusedKey(page, 'left')).toBe('data/csv/table-11.csv');
    await expect(row(left, 'table-11.csv')).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    expect(await focusedKey(page, 'left')).toBe('data/csv/table-9.csv');
    await expect(row(left, 'table-9.csv')).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowUp');
    expect(await focusedKey(page, 'left')).toBe('data/csv/table-8.csv');
    await expect(left.getByTestId('left-status')).toContainText('1 selected');

    // The grid is the table's only Tab stop: header buttons and rows are reached by keys, not by Tab.
    const tabbable = await grid
      .locator(['button', 'input', 'select', 'a[href]', '[tabindex]'].map((sel) => `${sel}:not([tabindex="-1"])`).join(', '))
      .count();
    expect(tabbable).toBe(0);
    await expect(grid).toHaveAttribute('tabindex', '0');

    // Tab goes on to the next control after the table, as in Explorer and Finder; Shift+Tab comes back.
    await page.keyboard.press('Tab');
    const after = await page.evaluate(
      "({ inLeftTable: document.activeElement?.closest('#left-table') !== null, isRightTable: document.activeElement?.id === 'right-table' })",
    );
    expect(after).toEqual({ inLeftTable: false, isRightTable: false });
    await page.keyboard.press('Shift+Tab');
    await expect(grid).toBeFocused();
    expect(await focusedKey(page, 'left')).toBe('data/csv/table-8.csv');
  });

  test('grid semantics, distinct location names, headings and selected-row contrast pass axe in light and dark', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(app.url);
      const left = await openPath(page, 'left', 'minio', ['demo-photos', 'data', 'csv']);
      await openPath(page, 'right', 'gcs', ['demo-archive']);
      await expect(page.getByRole('navigation', { name: 'Left pane location' })).toBeVisible();
      await expect(page.getByRole('navigation', { name: 'Right pane location' })).toBeVisible();
      await row(left, 'table-1.csv').click();
      await row(left, 'table-3.csv').click({ modifiers: ['Shift'] });
      await left.getByRole('grid').focus();
      await expect(row(left, 'table-11.csv')).toHaveAttribute('aria-selected', 'true');
      const results = await new AxeBuilder({ page })
        .withRules(['aria-allowed-attr', 'aria-valid-attr-value', 'aria-required-children', 'aria-required-parent', 'landmark-unique', 'heading-order', 'color-contrast'])
        .include('.app-head')
        .include('.workspace')
        // Provider badges' colours are checked by the accessibility spec.
        .exclude('.badge')
        .analyze();
      const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
      expect(found, `${scheme}`).toEqual([]);
      await shot(scheme);
    }
    await expect(pane(page, 'left')).toBeVisible();
  });
});
