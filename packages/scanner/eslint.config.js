import reactHooks from 'eslint-plugin-react-hooks';
import { baseConfig } from '../../eslint.config.base.js';

// bulletproof-react's rule: a feature never imports another feature, and shared code (lib/)
// imports none; only src/app composes features. What two features share moves to lib/.
const features = ['auth', 'console', 'scan'];
const noForeignFeatures = (allowed) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: features
        .filter((feature) => feature !== allowed)
        .map((feature) => ({
          group: [
            `**/features/${feature}`,
            `**/features/${feature}/**`,
            `../${feature}/**`,
            `../../${feature}/**`,
            `../../../${feature}/**`,
          ],
          message: `features/${feature} belongs to another feature: move what both need to src/lib, or compose them in src/app.`,
        })),
    },
  ],
});

export default [
  ...baseConfig(import.meta.dirname),
  { ignores: ['public/**'] },
  reactHooks.configs.flat['recommended-latest'],
  ...features.map((feature) => ({
    files: [`src/features/${feature}/**`],
    rules: noForeignFeatures(feature),
  })),
  { files: ['src/lib/**'], rules: noForeignFeatures(null) },
  {
    // The staff bundle must stay small (first load at most 150 KB gzip, checked by
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
