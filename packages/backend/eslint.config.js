import { baseConfig } from '../../eslint.config.base.js';

export default [
  ...baseConfig(import.meta.dirname),
  {
    // Migrations are frozen in time and typed against Kysely<any> on purpose (see STYLE.md).
    files: ['src/db/migrations/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
];
