/**
 * `npx skyferry` from a checkout (dist/cli/skyferry.js): the served mode's data folder and key file. The new space is
 * held first and the command line's code and packages imported only then, as in the served host's entry
 * (host/cli.ts). The build writes the package's version here; run from source, it says so.
 */
import '../engine/young-generation-first';

const { runCli } = await import('./program');
const { servedStore } = await import('./session');
await runCli(process.argv.slice(2), { store: servedStore, version: process.env.SKYFERRY_VERSION ?? 'source' });
