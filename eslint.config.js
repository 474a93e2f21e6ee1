import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.wrangler/',
      'public/js/htmx.min.js',
      'public/js/htmx-ext-ws.js',
      'public/vendor/',
      'public/assets/',
      'src/views/assets.generated.ts',
      'e2e/artifacts/',
      'bench/results/',
      'migrations/meta/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'e2e/**/*.mjs', 'bench/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
  {
    files: ['public/js/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        window: 'readonly',
        Intl: 'readonly',
        setInterval: 'readonly',
        Date: 'readonly',
        isNaN: 'readonly',
      },
    },
  },
  {
    files: ['public/js/feedback.js', 'public/js/composer.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', DOMParser: 'readonly', Intl: 'readonly', Symbol: 'readonly' },
    },
  },
  {
    files: ['public/js/live.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', htmx: 'readonly', JSON: 'readonly' },
    },
  },
)
