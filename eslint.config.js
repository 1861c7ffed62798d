// `npm run lint`: ESLint with typescript-eslint's type-aware rules, and
// Prettier's check. Only the rules that catch real defects here are errors:
// a promise nobody awaits or catches, code nobody uses, `any`, hooks called
// conditionally. Formatting is Prettier's alone (eslint-config-prettier turns
// ESLint's layout rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.cache/**', 'test/fixtures/**/*.py', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Everything that runs on Node: server, main, preload, scripts, tests (tsconfig.json).
    files: ['**/*.ts', '**/*.mts'],
    ignores: ['src-renderer/src/**'],
    languageOptions: {
      globals: globals.node,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The React renderer and the shared contract it imports (tsconfig.web.json).
    files: ['src-renderer/src/**/*.ts', 'src-renderer/src/**/*.tsx'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Plain JavaScript: scripts, the CLI entry, the pages' own small scripts.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src-server/pages/static/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  prettier,
);
