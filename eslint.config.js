// Lint is part of `npm test`. Beyond the recommended rules it enforces the layering that the folder names
// promise (README, "Where things live"): only the Electron shell imports `electron`; the renderer never
// reaches into main or Node; the renderer and preload take the contract's types, not its runtime; main
// takes the contract from contract/, never from the preload; and inside main each layer imports only
// the layers below it (LAYERS).
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
const DEPENDENCY_FREE_CONTRACT = ['wire', 'limits', 'format', 'fingerprint', 'comparison', 'picture', 'phone', 'contact-address', 'own-text', 'profile-changes', 'hidden-in-address'];
const contractTypesOnly = {
  regex: `(^|/)contract(/(?!(${DEPENDENCY_FREE_CONTRACT.join('|')})(\\.js)?$)[^/]+)?$`,
  allowTypeImports: true,
  message: 'Import the contract as types only (its schemas are for main); contract/wire, limits, format, fingerprint, comparison, picture, phone, contact-address, own-text, profile-changes and hidden-in-address may be imported as they are.',
};

const preloadIsNotTheContract = { group: ['**/preload/**'], message: 'main takes the contract from contract/, never from the preload.' };

/** An import of a sibling folder of main/ (or of main/core.ts, main/index.ts), however deep the importer. */
const mainFolders = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|(\\.js)?$)`;
/** What sits above every layer below the services: the services, the IPC, the front ends, the shells. */
const ABOVE_THE_CORE = ['services', 'ipc', 'cli', 'browser-host', 'electron', 'core', 'index'];

/**
 * main/'s layers, bottom first: each may import the ones before it, never those after it (nor anything
 * above the services). keys: keys and certificates; vault: storage; xmpp: the protocol; profile and
 * protocols: payload formats over it; drift: recorded vs read nodes (over the profile's formats too);
 * services: the app's behaviour, wired in core.ts. security (the CSP) is a leaf every front end reads.
 */
const LAYERS = [
  { folder: 'keys', forbidden: ['vault', 'xmpp', 'profile', 'protocols', 'drift', ...ABOVE_THE_CORE] },
  { folder: 'vault', forbidden: ['xmpp', 'profile', 'protocols', 'drift', ...ABOVE_THE_CORE] },
  { folder: 'xmpp', forbidden: ['vault', 'profile', 'protocols', 'drift', ...ABOVE_THE_CORE] },
  { folder: 'profile', forbidden: ['vault', 'protocols', 'drift', ...ABOVE_THE_CORE] },
  { folder: 'protocols', forbidden: ['vault', 'profile', 'drift', ...ABOVE_THE_CORE] },
  // drift: a published node as recorded vs as read, over the protocol layer and the profile's payload
  // formats (a profile item is compared by what its readers say it holds, main/profile/profile-content.ts).
  { folder: 'drift', forbidden: ['vault', 'protocols', ...ABOVE_THE_CORE] },
  { folder: 'security', forbidden: ['keys', 'vault', 'xmpp', 'profile', 'protocols', 'drift', ...ABOVE_THE_CORE] },
  { folder: 'services', forbidden: ['ipc', 'cli', 'browser-host', 'electron', 'core', 'index'] },
];

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
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnlyInShell], patterns: [preloadIsNotTheContract] }] },
  },
  {
    files: ['main/index.ts', 'main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [preloadIsNotTheContract] }] },
  },
  // Later entries replace the rule for their files, so each layer repeats main's own restrictions.
  ...LAYERS.map(({ folder, forbidden }) => ({
    files: [`main/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            preloadIsNotTheContract,
            {
              regex: mainFolders(forbidden),
              message: `main/${folder} may not import ${forbidden.map((f) => `main/${f}`).join(', ')}: layers import only the layers below them (eslint.config.js LAYERS).`,
            },
          ],
        },
      ],
    },
  })),
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
