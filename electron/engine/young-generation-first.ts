import { capNewSpace } from './young-generation';

/**
 * Imported first by each process entry (the desktop main process, the served host, the CLI, the bench's engine
 * child), so that the new space's cap holds while the code loads: V8 grows the new space most while modules are
 * compiled, before the engine starts, and a grown new space does not shrink while the process is busy. The engine
 * sets the cap again with its own options (EngineOptions.newSpaceBytes).
 */
capNewSpace();
