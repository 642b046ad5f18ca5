// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'runs/**', 'coverage/**', 'test/interop/**/*.go'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Entry points (CLIs, benchmarks) talk to the terminal; the library code below them never does.
    files: ['**/cli.ts', 'test/bench/**', 'infra/regtest/**/cli*.ts'],
    rules: { 'no-console': 'off' },
  },
);
