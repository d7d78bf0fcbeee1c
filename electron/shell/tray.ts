import { app, Menu, nativeImage, Tray, type BrowserWindow, type NativeImage } from 'electron';
import type { EngineParts } from '../engine/engine';

/** A 16 px sky-blue dot drawn in memory: the tray needs an image and the app ships no icon file for it. */
function trayIcon(): NativeImage {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - 7.5) ** 2 + (y - 7.5) ** 2 <= 7 ** 2;
      const i = (y * size + x) * 4;
      // BGRA
      pixels[i] = inside ? 0xe0 : 0;
      pixels[i + 1] = inside ? 0x8c : 0;
      pixels[i + 2] = inside ? 0x1e : 0;
      pixels[i + 3] = inside ? 0xff : 0;
    }
  }
  return nativeImage.createFromBitmap(pixels, { width: size, height: size });
}

/**
 * Keeps Skyferry running in the tray while something must run without the window: a schedule, or a folder kept in
 * sync. Then closing the window hides it (the tray's Open brings it back, Quit ends the app); with neither, closing
 * the window quits as usual. Returns the function that removes the tray.
 */
export function keepInTray(engine: EngineParts, window: () => BrowserWindow | null): () => void {
  let tray: Tray | null = null;
  let quitting = false;
  const needed = (): boolean => engine.scheduler.list().length > 0 || engine.sync.list().length > 0;
  const show = (): void => {
    const win = window();
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const ensureTray = (): void => {
    if (tray) return;
    tray = new Tray(trayIcon());
    tray.setToolTip('Skyferry: schedules keep running');
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Skyferry', click: show },
        { type: 'separator' },
        { label: 'Quit', click: () => app.quit() },
      ]),
    );
    tray.on('click', show);
  };
  app.on('before-quit', () => {
    quitting = true;
  });
  const win = window();
  win?.on('close', (event) => {
    if (quitting || !needed()) return;
    event.preventDefault();
    ensureTray();
    win.hide();
  });
  if (needed()) ensureTray();
  return () => {
    tray?.destroy();
    tray = null;
  };
}
