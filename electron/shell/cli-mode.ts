import { app } from 'electron';
import { runCli } from '../cli/program';
import { desktopStore } from './desktop-store';

/**
 * The `skyferry` command installed with the app: the app's binary with --skyferry-cli (cli-args.ts). No window, no tray, no dock icon
 * and no single-instance lock (a command may run while the app is open); once Electron is ready (safeStorage needs
 * it), the command runs on the app's own store, whose data-folder lock refuses it while the app or another command
 * holds the folder. The process exits with the command's exit code.
 */
export function runCliMode(args: readonly string[]): void {
  app.dock?.hide();
  app
    .whenReady()
    .then(() =>
      runCli(args, {
        store: desktopStore((warning) => process.stderr.write(`skyferry: ${warning}\n`), { keyringOrNothing: true }),
        version: app.getVersion(),
      }),
    )
    // A command line that names no verb's action (commander printed help and returned): nothing else to do.
    .then(() => app.exit(0))
    .catch((e: unknown) => {
      process.stderr.write(`skyferry: ${e instanceof Error ? e.message : String(e)}\n`);
      app.exit(1);
    });
}
