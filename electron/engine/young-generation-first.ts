import { holdNewSpace } from './young-generation';

/**
 * Imported first by each process entry (the desktop main process, the served host, the CLI, the bench's engine
 * child): the new space keeps its starting size while the modules load, and the engine's start (createEngine) lets
 * it grow up to its cap (young-generation.ts). In the desktop's CommonJS bundle this runs before any module loads;
 * the ESM bundles of the served host and the CLI keep their packages external, and a static import of a package is
 * evaluated before any line of the bundle, so there the packages load first (the bench's child imports the engine
 * dynamically after this line for that reason: bench/skyferry-copy.ts).
 */
holdNewSpace();
