/**
 * The served host's entry (dist/host/cli.js). The new space is held first, and the host, the engine and their
 * packages are imported only then: a static import of a package in an ESM bundle is evaluated before the bundle's
 * first line (young-generation-first.ts). The build keeps the import below a separate chunk (scripts/build.mjs).
 */
import '../engine/young-generation-first';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { serve } = await import('./serve');
serve(path.dirname(fileURLToPath(import.meta.url)));
