// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Node built-ins, by bare name and with the node: prefix. */
const NODE_BUILTINS = ['fs', 'path', 'os', 'crypto', 'stream', 'http', 'https', 'net', 'child_process', 'url', 'util', 'events', 'zlib', 'worker_threads', 'buffer', 'tls', 'dns'];
const SDKS = ['@aws-sdk/*', '@azure/*', '@google-cloud/*', 'ws', 'electron'];

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
  // Inside the engine, lower layers never reach up: providers know nothing of jobs, jobs nothing of migrations or costs.
  {
    files: ['electron/engine/providers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The engine runs in plain Node: only electron/shell/ may import electron.' },
          { group: ['**/jobs/**', '**/migrations/**', '**/costs/**', '**/accounts/**', '**/storage/**', '**/host/**', '**/shell/**', '**/renderer/**'], message: 'Providers are the lowest engine layer: they import only shared/ and their SDK.' },
        ],
      }],
    },
  },
  {
    files: ['electron/engine/jobs/**/*.ts'],
    ignores: ['electron/engine/jobs/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The engine runs in plain Node: only electron/shell/ may import electron.' },
          { group: ['**/migrations/**', '**/costs/**', '**/host/**', '**/shell/**', '**/renderer/**'], message: 'The job engine sits below migrations and costs: it must not import them.' },
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts', 'tools/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*'],
    languageOptions: { globals: { ...globals.node } },
  },
);
