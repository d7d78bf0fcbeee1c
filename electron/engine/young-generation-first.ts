import { capNewSpace } from './young-generation';

/**
 * Imported first by each process entry (the desktop main process, the served host, the CLI, the bench's engine
 * child), so that the new space's cap holds from the entry's first line rather than from the engine's start: V8
 * grows the new space most while modules are compiled, and a grown new space does not shrink while the process is
 * busy. In the desktop's CommonJS bundle that is before any module loads; the ESM bundles keep their packages
 * external, and a static import of a package is evaluated before any line of the bundle, so there the SDKs have
 * loaded first (the bench child's new space is 67 MiB at the engine's start). The engine sets the cap again with its
 * own options (EngineOptions.newSpaceBytes).
 */
capNewSpace();
