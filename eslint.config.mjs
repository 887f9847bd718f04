// Lint rules that guard the architecture: the pure core, the CLI and the server never import
// `vscode`, and no promise is left floating (STYLE.md: "fail loudly where VS Code is silent").
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'src/core, src/cli and src/server must not depend on VS Code; put editor glue in src/extension.' }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'python-runner/**', '.e2e/**', 'out/**', '**/*.mjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/server/**/*.ts'], rules: noVscode },
);
