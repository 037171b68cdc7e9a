import reactHooks from 'eslint-plugin-react-hooks';
import { baseConfig } from '../../eslint.config.base.js';

export default [
  ...baseConfig(import.meta.dirname),
  { ignores: ['public/**'] },
  reactHooks.configs.flat['recommended-latest'],
  {
    // The staff bundle must stay small (issue 11: first load at most 150 KB gzip, checked by
    // test/bundle-size.test.ts): shared modules other than the code format are TypeBox schemas,
    // so the app imports only their types. The console is a lazy chunk and may use them.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/features/console/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@couponscan/shared/*', '!@couponscan/shared/code'],
              allowTypeImports: true,
              message:
                'Import only types from shared schema modules here: their values pull TypeBox into the staff bundle.',
            },
          ],
        },
      ],
    },
  },
];
