import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** SKYFERRY_DATA_DIR, else ~/.config/skyferry; created (and kept) readable by the user alone. */
export async function resolveDataDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = path.resolve(env.SKYFERRY_DATA_DIR || path.join(os.homedir(), '.config', 'skyferry'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}
