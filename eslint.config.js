// Lint rules for the whole tree; type-aware rules stay off so lint runs in seconds.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'certs/out/**', '.lab/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The console's browser code (plain ES modules, no build step).
    files: ['server/ns/console-app/public/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'WebSocket', 'URLSearchParams', 'Node',
        'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((g) => [g, 'readonly'])),
    },
  },
);
