import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned versions of the test peers built from the Go module proxy (see ../shared/EMULATORS.md). */
export const GO_TOOLS = {
  minio: { module: 'github.com/minio/minio', version: 'v0.0.0-20260212201848-7aac2a2c5b7c', binary: 'minio' },
  fakeGcs: { module: 'github.com/fsouza/fake-gcs-server', version: 'v1.56.1', binary: 'fake-gcs-server' },
  rclone: { module: 'github.com/rclone/rclone', version: 'v1.76.0', binary: 'rclone' },
  toxiproxy: { module: 'github.com/Shopify/toxiproxy/v2/cmd/server', version: 'v2.5.0', binary: 'server' },
} as const;
export type GoToolName = keyof typeof GO_TOOLS;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Git-ignored cache of built binaries, one folder per version so a bump rebuilds. */
export const CACHE_DIR = process.env.SKYFERRY_EMULATOR_CACHE ?? path.join(REPO_ROOT, '.cache', 'emulators');

export function binaryPath(tool: GoToolName): string {
  const t = GO_TOOLS[tool];
  // go install names the binary with .exe on Windows.
  return path.join(CACHE_DIR, `${t.binary}-${t.version}`, process.platform === 'win32' ? `${t.binary}.exe` : t.binary);
}
