import '../engine/young-generation-first';
import { runCli } from './program';
import { servedStore } from './session';

// `npx skyferry` from a checkout: the served mode's data folder and key file. The build writes the package's
// version here; run from source, it says so.
await runCli(process.argv.slice(2), { store: servedStore, version: process.env.SKYFERRY_VERSION ?? 'source' });
