// Shared ESLint flat config: every package extends it with its own tsconfig root.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** @param {string} tsconfigRootDir */
export function baseConfig(tsconfigRootDir) {
  return tseslint.config(
    {
      ignores: ['dist/**', 'coverage/**', 'dev-dist/**', '*.config.*', 'eslint.config.js', '*.mjs'],
    },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
      rules: {
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', ignoreRestSiblings: true },
        ],
        '@typescript-eslint/consistent-type-imports': 'error',
      },
    },
    {
      // expect.any()/expect.stringContaining() are typed `any` by design
      files: ['**/test/**', '**/e2e/**', '**/*.test.ts', '**/*.test.tsx'],
      rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
    },
  );
}
