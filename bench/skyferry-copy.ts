/**
 * One copy job through Skyferry's real engine, in a process of its own so that its peak memory is its own.
 * Bundled and started by bench/run.ts (runners.ts, with esbuild's splitting, so that the import below stays a
 * separate chunk). The new space is held at its starting size first, as the desktop's CommonJS bundle holds it
 * before any module loads (young-generation-first.ts): in an ESM bundle a static import of a package is evaluated
 * before the bundle's first line, so the engine and its SDKs are imported only once the hold is in place.
 */
import '../electron/engine/young-generation-first';

await import('./skyferry-copy-run');
