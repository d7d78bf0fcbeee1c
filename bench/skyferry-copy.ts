/**
 * One copy job through Skyferry's real engine, in a process of its own so that its peak memory is its own.
 * Bundled and started by bench/run.ts (runners.ts, with esbuild's splitting, so that the import below stays a
 * separate chunk). The new space is capped first, as the desktop's CommonJS bundle caps it before any module loads:
 * in an ESM bundle a static import of a package is evaluated before the bundle's first line, so the engine and its
 * SDKs are imported only once the cap holds.
 */
import '../electron/engine/young-generation-first';

await import('./skyferry-copy-run');
