import reactHooks from 'eslint-plugin-react-hooks';
import { baseConfig } from '../../eslint.config.base.js';

export default [
  ...baseConfig(import.meta.dirname),
  { ignores: ['public/**'] },
  reactHooks.configs.flat['recommended-latest'],
];
