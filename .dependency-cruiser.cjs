// The import-cycle check of `npm run lint`: no module of electron/engine/ may reach itself through its imports,
// type-only imports included (a cycle of types is still two modules that cannot be read or changed apart).
// The layer table in eslint.config.js says which area may import which; this catches cycles inside an area too.
// `npm run lint:cycles` passes --ignore-known: .dependency-cruiser-known-violations.json lists the cycles it
// tolerates, and it is empty (`[]`), so every cycle fails. The list only shrinks (regenerate it with `depcruise
// electron/engine --config .dependency-cruiser.cjs --output-type baseline > .dependency-cruiser-known-violations.json`
// once a listed cycle is gone); a new cycle is fixed, not added to it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle inside electron/engine/: move what both sides need into a module they both import.',
      from: { path: '^electron/engine/' },
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^electron/engine/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
  },
};
