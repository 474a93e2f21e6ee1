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
  // A file past 400 lines is asking to be split.
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
  // Imports flow one way: features → views/middleware → db/lib (the cycle check, `npm run
  // cycles`, catches a loop; these rules catch a step the wrong way before it becomes one).
  {
    files: ['src/lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./(?!\\.\\./locales/)', message: 'lib/ is pure: it imports only lib/ and packages.' },
            {
              regex: '^hono(?!/http-exception$)(/|$)',
              message: 'lib/ is pure: no Hono Context (put it in middleware/).',
            },
            { regex: '^drizzle-orm(/|$)', message: 'lib/ is pure: no database (put it in db/ or a feature).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/middleware/**', 'src/views/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/features/*', '**/features/**'],
              message: 'Middleware and shared views import no feature: the feature passes in what they show.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/db/**', 'src/env.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/features/*', '**/middleware/*', '**/views/*'],
              message: 'A lower layer imports no feature, middleware or view.',
            },
          ],
        },
      ],
    },
  },
  // A feature's actions are the writes the site and the API share: plain inputs (db, runtime,
  // member), never a request's Context, so neither app's plumbing leaks into them.
  {
    files: ['src/features/*/actions.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^hono(/|$)', message: 'An action takes plain inputs, not a Hono Context.' },
            { regex: '/routes(\\.tsx?)?$', message: 'An action is called by routes, never the other way.' },
          ],
        },
      ],
    },
  },
  // Routes you can grep: every path is written out where it is registered, never built.
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.object.name=/(^(app|apiApp|auth|resetPassword)|Routes)$/][callee.property.name=/^(get|post|put|patch|delete|all|route)$/][arguments.0.type=/^(TemplateLiteral|BinaryExpression|Identifier|MemberExpression|CallExpression)$/]',
          message: 'Write the route path out as a string literal, so a search for the URL finds its handler.',
        },
      ],
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
