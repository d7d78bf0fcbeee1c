import path from 'node:path';
import { createFileKeyCipher } from '../engine/accounts/secret-store';
import { createEngine } from '../engine/engine';
import { createLogger } from '../engine/log';
import { lockDataDir, resolveDataDir } from './data-dir';
import { startServer } from './server';

const log = createLogger('host');

/** dist/host/cli.js serves dist/renderer beside it; SKYFERRY_RENDERER_DIR overrides (e.g. when run from source). */
function rendererDir(entryDir: string): string {
  if (process.env.SKYFERRY_RENDERER_DIR) return path.resolve(process.env.SKYFERRY_RENDERER_DIR);
  return path.resolve(entryDir, '..', 'renderer');
}

function portFromEnv(): number {
  const raw = process.env.SKYFERRY_PORT;
  if (!raw) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SKYFERRY_PORT must be a port number, not "${raw}"`);
  return port;
}

async function main(entryDir: string): Promise<void> {
  const dataDir = await resolveDataDir();
  // The command line (skyferry) may use the same folder: one writer at a time.
  lockDataDir(dataDir, 'served');
  // In the served mode secrets are encrypted with a key file readable by the user alone (no OS keyring here).
  // No browser may open on a served machine: an Entra sign-in without the Azure CLI shows a device code instead.
  const engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(path.join(dataDir, 'secrets.key')), entra: { interactive: 'deviceCode' } });
  const maxUpload = process.env.SKYFERRY_MAX_UPLOAD_BYTES ? Number(process.env.SKYFERRY_MAX_UPLOAD_BYTES) : undefined;
  const server = await startServer({
    engine,
    dataDir,
    rendererDir: rendererDir(entryDir),
    port: portFromEnv(),
    ...(maxUpload && Number.isSafeInteger(maxUpload) ? { maxUploadBytes: maxUpload } : {}),
  });
  // The one line on stdout: people and the e2e fixture read the URL from it. Logs go to stderr.
  process.stdout.write(`Skyferry is running at ${server.url}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server
      .close()
      .then(() => engine.close())
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        log.error('shutdown failed', e);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * `npm run serve`: the engine served to a browser on 127.0.0.1, with a per-run token in the printed URL.
 * `entryDir` is the folder of the entry that started it (cli.ts), beside which the renderer is built.
 */
export function serve(entryDir: string): void {
  main(entryDir).catch((e: unknown) => {
    log.error('could not start', e);
    process.exit(1);
  });
}
