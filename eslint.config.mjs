import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodeBuiltins = [
  'fs',
  'path',
  'http',
  'https',
  'net',
  'crypto',
  'os',
  'child_process',
  'stream',
  'readline',
  'zlib',
  'url',
  'worker_threads',
  'timers',
  'events',
  'util',
  'dns',
  'tls',
  'process',
];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'test/histories/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Workflow code is replayed: no I/O, no Node built-ins, no Anthropic SDK.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['@anthropic-ai/sdk', ...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: do I/O in an activity.',
          })),
          patterns: [
            { group: ['@anthropic-ai/*', 'node:*'], message: 'No I/O in workflow code.' },
            // Activities' types describe the calls; their code must never be bundled into the workflow.
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Only types from activities.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  prettier,
);
