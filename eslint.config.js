// Lint is part of `npm test`. Beyond the recommended rules it enforces the layering that the folder names
// promise (see shared CONVENTIONS): only the Electron shell imports `electron`, the renderer never
// reaches into main or Node, and the renderer and preload take the contract's types, not its runtime.
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const electronOnlyInShell = {
  name: 'electron',
  message: 'Only main/index.ts and main/electron/ may import electron; services stay plain TypeScript.',
};
// contract/ holds zod schemas for main; the sandboxed preload and the renderer bundle take its types
// only, plus the files that import nothing at run time (transport framing, limits, display format).
const DEPENDENCY_FREE_CONTRACT = ['wire', 'limits', 'format'];
const contractTypesOnly = {
  regex: `(^|/)contract(/(?!(${DEPENDENCY_FREE_CONTRACT.join('|')})(\\.js)?$)[^/]+)?$`,
  allowTypeImports: true,
  message: 'Import the contract as types only (its schemas are for main); contract/wire, limits and format may be imported as they are.',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, svelteConfig: {} } },
  },
  {
    files: ['main/**/*.ts', 'test/**/*.ts', 'scripts/**/*.mjs', '*.config.ts', '*.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/index.ts', 'main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronOnlyInShell], patterns: [{ group: ['**/preload/**'], message: 'main takes the contract from contract/, never from the preload.' }] },
      ],
    },
  },
  {
    files: ['main/index.ts', 'main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/preload/**'], message: 'main takes the contract from contract/, never from the preload.' }] }],
    },
  },
  {
    // The contract is shared by every environment: no Node, no DOM, nothing of the layers around it.
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The contract runs everywhere.' }],
          patterns: [{ group: ['node:*', '**/main/**', '**/renderer/**', '**/preload/**'], message: 'The contract imports only zod and itself.' }],
        },
      ],
    },
  },
  {
    // Imported at run time by the preload and the renderer: types only from anything but each other.
    files: DEPENDENCY_FREE_CONTRACT.map((f) => `contract/${f}.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\./(${DEPENDENCY_FREE_CONTRACT.join('|')})\\.js$)`,
              allowTypeImports: true,
              message: 'This file is imported at run time by the sandboxed preload and the renderer: it may import only types, or another dependency-free contract file.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through KeyringApi.' }],
          patterns: [
            { group: ['node:*'], message: 'No Node APIs in the renderer.' },
            { group: ['**/main/**'], message: 'The renderer never imports main-process code.' },
            contractTypesOnly,
          ],
        },
      ],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: 'The sandboxed preload only routes; main validates.' }],
          patterns: [{ group: ['node:*', '**/main/**', '**/renderer/**'], message: 'The preload stays tiny.' }, contractTypesOnly],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
