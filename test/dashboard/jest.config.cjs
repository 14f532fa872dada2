/**
 * `npm run test:dashboard`: the dashboard in a real headless browser (Debian's chromium through
 * puppeteer-core), opt-in, not part of `npm test`. Needs `npm run build` (the page in dist/dashboard).
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/dashboard/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/network/run/', '<rootDir>/dist/'],
  testTimeout: 60_000,
};
