// Lint rules for every package: typescript-eslint's recommended set, plus a few rules of our own.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tmp/**', '.mlaas-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // The web page: plain ES modules run by the browser, as served (no build step).
    files: ['packages/helper/web/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'sessionStorage',
          'navigator',
          'performance',
          'fetch',
          'crypto',
          'TextEncoder',
          'TextDecoder',
          'atob',
          'btoa',
          'URLSearchParams',
          'FormData',
          'Node',
          'HTMLElement',
          'setTimeout',
          'clearTimeout',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['scripts/**', 'bench/**', '**/test/**'],
    rules: { 'no-console': 'off' },
  },
);
