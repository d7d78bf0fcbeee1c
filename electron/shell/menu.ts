import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron';

const HELP_URL = 'https://github.com/skyferry/skyferry#readme';

/** The usual native menus and shortcuts (undo/copy/paste need the Edit menu on macOS to work at all). */
export function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'Skyferry on the web',
          click: () => {
            void shell.openExternal(HELP_URL);
          },
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
