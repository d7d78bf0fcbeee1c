import { holdNewSpace } from './young-generation';

/**
 * Imported first by each process entry (the desktop main process, the served host, the CLI, the bench's engine
 * child): the new space keeps its starting size while the modules load, and the engine's start (createEngine) lets
 * it grow up to its cap (young-generation.ts). In the desktop's CommonJS bundle this runs before any module loads.
 * In an ESM bundle a package imported statically is evaluated before the bundle's first line, so the ESM entries
 * (host/cli.ts, cli/main.ts, bench/skyferry-copy.ts) import everything else dynamically after this line, and their
 * builds keep it in separate chunks.
 */
holdNewSpace();
