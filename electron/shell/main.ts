import '../engine/young-generation-first';
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import { openLockedEngine } from '../cli/session';
import type { Engine } from '../engine/dispatch';
import { createLogger } from '../engine/log';
import { cliArgs } from './cli-args';
import { runCliMode } from './cli-mode';
import { desktopStore } from './desktop-store';
import { ExternalLinks } from './external-links';
import { registerIpc } from './ipc';
import { buildMenu } from './menu';
import { notifyLongJobs, notifyScheduleFailures } from './notify';
import { trackTaskbarProgress } from './progress';
import { keepInTray } from './tray';
import { createMainWindow, hardenSession, hardenWebContents, registerAppScheme, rendererDir, serveAppProtocol } from './window';

/** The desktop shell: only wiring. The engine is the same one the served host and the tests use. */
const log = createLogger('shell');

registerAppScheme();
// Tests and portable setups point the profile elsewhere; must happen before anything reads userData.
if (process.env.SKYFERRY_DATA_DIR) app.setPath('userData', process.env.SKYFERRY_DATA_DIR);
app.enableSandbox();
// The share links the user asked for: the only URLs handed to the OS browser.
const links = new ExternalLinks();
app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, links));

let mainWindow: BrowserWindow | null = null;
let closeEngine: (() => Promise<void>) | null = null;

async function start(): Promise<void> {
  let served: Engine | null = null;
  serveAppProtocol(rendererDir(), () => served);
  hardenSession(session.defaultSession);
  const warnings: string[] = [];
  // Locked like a command's: a `skyferry` command running on this profile makes the app say so instead of starting.
  // A browser sign-in to Microsoft Entra ID shows Entra's page in the user's own browser.
  const { engine, release } = await openLockedEngine(desktopStore((w) => warnings.push(w)), 'the Skyferry app', {
    background: true,
    entra: { interactive: 'browser', openBrowser: (url) => shell.openExternal(url) },
  });
  const warning = warnings[0];
  served = engine;
  closeEngine = () => engine.close().finally(release);
  registerIpc(engine, () => mainWindow, links);
  trackTaskbarProgress(engine, () => mainWindow);
  notifyLongJobs(engine, () => mainWindow);
  Menu.setApplicationMenu(buildMenu());
  mainWindow = createMainWindow();
  mainWindow.on('closed', () => (mainWindow = null));
  notifyScheduleFailures(engine, () => mainWindow);
  keepInTray(engine, () => mainWindow);
  if (warning) {
    mainWindow.once('ready-to-show', () => {
      if (mainWindow) void dialog.showMessageBox(mainWindow, { type: 'warning', title: 'Skyferry', message: 'Saved secrets are less protected', detail: warning });
    });
  }
}

const commandLine = cliArgs(process.argv);
if (commandLine) {
  runCliMode(commandLine);
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      log.error('could not start', e);
      dialog.showErrorBox('Skyferry could not start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !closeEngine) return;
    quitting = true;
    event.preventDefault();
    closeEngine()
      .catch((e: unknown) => log.error('engine did not close cleanly', e))
      .finally(() => app.quit());
  });
}
