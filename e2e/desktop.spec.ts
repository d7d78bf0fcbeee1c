import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function electronBinary(): string | null {
  try {
    const bin: unknown = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

test.describe('desktop shell', () => {
  test.skip(!binary, 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): desktop smoke test skipped');
  test.skip(noDisplay, 'No display (run under xvfb-run): desktop smoke test skipped');

  test('opens the window with the security settings on', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-desktop-'));
    const app = await electron.launch({
      executablePath: binary ?? undefined,
      args: [path.join(ROOT, 'dist', 'electron', 'main.cjs'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, SKYFERRY_DATA_DIR: dataDir },
    });
    try {
      const page = await app.firstWindow();
      await expect(page).toHaveTitle('Skyferry');
      expect(page.url()).toBe('app://skyferry/index.html');

      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const win = BrowserWindow.getAllWindows()[0];
        // Documented on WebContents but missing from electron.d.ts.
        const wc = win?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null } | undefined;
        const p = wc?.getLastWebPreferences?.();
        return { contextIsolation: p?.contextIsolation, sandbox: p?.sandbox, nodeIntegration: p?.nodeIntegration, webSecurity: p?.webSecurity };
      });
      expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });

      // The page sees the bridge and nothing of Node; the bridge passes contract channels only.
      const surface = await page.evaluate(async () => {
        // e2e/ is type-checked without the DOM lib: describe the little of `window` this needs.
        const w = globalThis as unknown as Record<string, unknown> & {
          skyferry: Record<string, unknown> & { invoke(c: string, r: unknown): Promise<unknown> };
          open(url: string): unknown;
        };
        const accounts = await w.skyferry.invoke('accounts:list', {});
        const bogus = await w.skyferry.invoke('shell:exec', {}).then(() => 'passed', () => 'refused');
        return { require: typeof w.require, process: typeof w.process, bridge: Object.keys(w.skyferry).sort(), accounts, bogus, opened: w.open('https://example.com') };
      });
      expect(surface).toMatchObject({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'on', 'pathForFile'], bogus: 'refused', opened: null });
      expect(surface.accounts).toMatchObject({ ok: true });

      // Navigation away from the app is refused.
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
      });
      await page.waitForTimeout(500);
      expect(page.url()).toBe('app://skyferry/index.html');
      await page.screenshot({ path: path.join(ROOT, 'e2e-artifacts', 'desktop-window.png') });
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
