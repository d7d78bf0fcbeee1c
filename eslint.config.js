// @ts-check
import { readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Node built-ins, by bare name and with the node: prefix. */
const NODE_BUILTINS = ['fs', 'path', 'os', 'crypto', 'stream', 'http', 'https', 'net', 'child_process', 'url', 'util', 'events', 'zlib', 'worker_threads', 'buffer', 'tls', 'dns'];
const SDKS = ['@aws-sdk/*', '@azure/*', '@google-cloud/*', 'ws', 'electron'];

/**
 * Who may import whom inside electron/, lowest layer first (VS Code's code-layering habit: one table, and every
 * import rule below is generated from it). A row is an area (a folder of electron/, or one file) and the areas its
 * product files may import besides their own; an import of any other area fails `npm run lint`. A new folder or
 * root file of electron/ or electron/engine/ needs a row: the config refuses to load without one.
 * Tests (`*.test.ts`) may import any area; test-support/ is what they share, and no product file imports it.
 */
const LAYERS = [
  // area          where (under electron/)            may import
  ['log',          'engine/log.ts',                   []],
  ['atomic-write', 'engine/atomic-write.ts',          []],
  ['strict-request', 'engine/strict-request.ts',      []],
  ['gc-extension', 'engine/gc-extension.ts',          []],
  ['young-generation', 'engine/young-generation.ts',  ['gc-extension']],
  ['old-generation', 'engine/old-generation.ts',      ['gc-extension']],
  ['young-generation-first', 'engine/young-generation-first.ts', ['young-generation']],
  ['dispatch',     'engine/dispatch.ts',              ['log', 'strict-request']],
  ['providers',    'engine/providers/',               ['log']],
  ['accounts',     'engine/accounts/',                ['log', 'atomic-write', 'providers']],
  ['context',      'engine/context.ts',               ['log', 'accounts', 'providers']],
  ['jobs',         'engine/jobs/',                    ['log', 'providers']],
  ['bandwidth',    'engine/bandwidth/',               ['log', 'atomic-write']],
  ['sync',         'engine/sync/',                    ['log', 'atomic-write']],
  ['schedules',    'engine/schedules/',               ['log', 'atomic-write', 'dispatch', 'bandwidth', 'sync']],
  ['costs',        'engine/costs/',                   ['log', 'atomic-write', 'providers', 'jobs']],
  ['migrations',   'engine/migrations/',              ['log', 'atomic-write', 'providers', 'jobs', 'costs']],
  ['cloud-transfer', 'engine/cloud-transfer/',       ['log', 'atomic-write', 'providers', 'jobs', 'costs', 'migrations']],
  ['storage',      'engine/storage/',                 ['log', 'providers']],
  ['dialogs',      'engine/dialogs.handlers.ts',      []],
  ['engine',       'engine/engine.ts',                ['log', 'dispatch', 'context', 'providers', 'accounts', 'jobs', 'costs', 'migrations', 'cloud-transfer', 'storage', 'dialogs', 'bandwidth', 'sync', 'schedules', 'young-generation', 'old-generation']],
  ['test-support', 'engine/test-support/',            ['log', 'atomic-write', 'strict-request', 'dispatch', 'providers', 'accounts', 'context', 'jobs', 'costs', 'migrations', 'cloud-transfer', 'storage', 'dialogs', 'bandwidth', 'sync', 'schedules', 'engine', 'young-generation']],
  ['host',         'host/',                           ['young-generation-first', 'log', 'dispatch', 'accounts', 'engine']],
  ['shell',        'shell/',                          ['young-generation-first', 'log', 'dispatch', 'accounts', 'engine', 'host', 'cli']],
  ['cli',          'cli/',                            ['young-generation-first', 'log', 'dispatch', 'accounts', 'engine', 'host']],
];
/** A channel handler file (`*.handlers.ts`) of any area may also import these: the handler types and the engine context. */
const HANDLERS_MAY_IMPORT = ['dispatch', 'context'];
/**
 * Each provider's own folder (providers/s3/, ...) is private to providers/: the rest of electron/ sees the
 * providers' shared surface, the files at providers/ itself (provider.ts, factory.ts, ...). Tests and
 * test-support/ build providers directly.
 */
const PROVIDER_FOLDERS_OPEN_TO = ['providers', 'test-support'];

/** What every product file of electron/ is refused besides the table: electron outside the shell, and the renderer. */
function electronPatterns(area) {
  return [
    ...(area === 'shell' ? [] : [{ group: ['electron', 'electron/*'], message: 'The engine runs in plain Node (tests, served mode, benchmarks): only electron/shell/ may import electron.' }]),
    { group: ['**/renderer/**'], message: 'electron/ never imports the renderer: the two meet only in shared/.' },
  ];
}

const ELECTRON = path.join(import.meta.dirname, 'electron');
const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How a file in `dir` writes an import of `target` (a folder ending in `/`, or a `.ts` file; both under electron/). */
function specifierOf(dir, target) {
  const rel = path.posix.relative(dir, target.replace(/\/$/, '').replace(/\.ts$/, ''));
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** A regex for every import, written from `dir`, of `target`: the file, or the folder and anything in it. */
function importRegex(dir, target) {
  const spec = escapeRegex(specifierOf(dir, target));
  return target.endsWith('/') ? `^${spec}(/|$)` : `^${spec}(\\.[jt]s)?$`;
}

/** The row of a file or folder (posix, relative to electron/). */
function rowOf(rel) {
  return LAYERS.find(([, where]) => (where.endsWith('/') ? `${rel}/`.startsWith(where) : rel === where));
}

/** The no-restricted-imports patterns for product files in `dir` of `area`, from the table. */
function layerPatterns(dir, area, handlers) {
  const row = LAYERS.find(([name]) => name === area);
  if (!row) throw new Error(`eslint.config.js: no area ${area} in LAYERS`);
  const allowed = new Set([area, ...row[2], ...(handlers ? HANDLERS_MAY_IMPORT : [])]);
  const may = `${area}${handlers ? ' handlers' : ''} may import ${[...allowed].filter((a) => a !== area).join(', ') || 'no other area'}`;
  const patterns = electronPatterns(area);
  for (const [other, where] of LAYERS) {
    if (allowed.has(other)) continue;
    const message = other === 'test-support' ? 'Only tests, bench/ and tools/ import test-support/.' : `${area} may not import ${other}: ${may} (the layer table in eslint.config.js).`;
    patterns.push({ regex: importRegex(dir, where), caseSensitive: true, message });
  }
  if (allowed.has('providers') && !PROVIDER_FOLDERS_OPEN_TO.includes(area)) {
    patterns.push({
      regex: `^${escapeRegex(specifierOf(dir, 'engine/providers/'))}/[^/]+/`,
      caseSensitive: true,
      message: "A provider's own folder is private to providers/: import the providers' surface (providers/*.ts).",
    });
  }
  return patterns;
}

/**
 * One config per folder of electron/ (and per root file of an area that is one file): the patterns depend on the
 * folder, since an import is written relative to it. Throws on a file or folder that no row covers.
 */
function layerConfigs() {
  const configs = [];
  const rule = (dir, area, handlers) => ({ 'no-restricted-imports': ['error', { patterns: layerPatterns(dir, area, handlers) }] });
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(ELECTRON, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (!entry.isDirectory() && (!/\.ts$/.test(entry.name) || /\.test\.ts$/.test(entry.name))) continue;
      const row = rowOf(rel);
      if (!row && entry.isDirectory() && LAYERS.some(([, where]) => where.startsWith(`${rel}/`))) {
        walk(rel); // electron/engine/ holds areas but is none
      } else if (!row) {
        throw new Error(`eslint.config.js: electron/${rel}${entry.isDirectory() ? '/' : ''} has no row in LAYERS`);
      } else if (entry.isDirectory()) {
        const files = `electron/${rel}/*.ts`;
        const handlers = `electron/${rel}/*.handlers.ts`;
        configs.push({ files: [files], ignores: ['**/*.test.ts', handlers], rules: rule(rel, row[0], false) });
        configs.push({ files: [handlers], ignores: ['**/*.test.ts'], rules: rule(rel, row[0], true) });
        walk(rel);
      } else if (!row[1].endsWith('/')) {
        configs.push({ files: [`electron/${rel}`], rules: rule(dir, row[0], entry.name.endsWith('.handlers.ts')) });
      }
    }
  };
  walk('');
  return configs;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'e2e-artifacts/**', 'build/**', '.skyferry-dev/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  // Boundaries (VS Code's habit): machine-checked, so a wrong import fails `npm run lint`.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: NODE_BUILTINS.map((name) => ({ name, message: 'shared/ runs in every layer: no Node built-ins.' })),
        patterns: [
          { group: ['node:*'], message: 'shared/ runs in every layer: no Node built-ins.' },
          { group: SDKS, message: 'shared/ holds the contract and the domain model: no SDKs, no electron.' },
          { group: ['react', 'react-dom', 'zustand'], message: 'shared/ holds no UI.' },
          { group: ['**/electron/**', '**/renderer/**', '**/tools/**'], message: 'shared/ imports nothing above it.' },
        ],
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: { 'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'] },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: NODE_BUILTINS.map((name) => ({ name, message: 'The renderer is sandboxed: no Node built-ins.' })),
        patterns: [
          { group: ['node:*'], message: 'The renderer is sandboxed: no Node built-ins.' },
          { group: SDKS, message: 'The renderer never sees an SDK or electron: go through the contract client.' },
          { group: ['**/electron/**', '**/tools/**'], message: 'The renderer reaches the engine only through shared/ and the contract client.' },
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/shell/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The engine runs in plain Node (tests, served mode, benchmarks): only electron/shell/ may import electron.' },
          { group: ['**/renderer/**'], message: 'The engine never imports the renderer.' },
          { group: ['**/shell/**'], message: 'The engine never imports the desktop shell.' },
        ],
      }],
    },
  },
  // Product files of electron/ obey the layer table; tests assemble what they test and may import any of it.
  ...layerConfigs(),
  {
    files: ['electron/**/*.ts', 'tools/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*'],
    languageOptions: { globals: { ...globals.node } },
  },
);
