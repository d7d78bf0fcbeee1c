#!/usr/bin/env node
/**
 * `npm start`: builds (cached when nothing changed), then opens the desktop app. Where the Electron binary is not
 * installed (e.g. installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or a machine without a desktop) it says so in one
 * line and serves the same app to a browser instead.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    // The electron package throws when its binary was never downloaded.
    return null;
  }
}

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    const forward = (sig) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const built = await run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')]);
if (built !== 0) process.exit(built);

const electron = electronBinary();
if (electron) {
  process.exit(await run(electron, [path.join(ROOT, 'dist', 'electron', 'main.cjs'), ...process.argv.slice(2)]));
} else {
  console.log('The Electron binary is not installed (node node_modules/electron/install.js fetches it): serving Skyferry in the browser instead.');
  // The host prints the URL to open.
  process.exit(await run(process.execPath, [path.join(ROOT, 'dist', 'host', 'cli.js')]));
}
