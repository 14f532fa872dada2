/** @type {import('jest').Config} */
// Transpile only, no type check in jest (`npm run build` and `npm run typecheck` check types): ts-jest
// 29.4 takes that from `isolatedModules: true` in the tsconfig (its own isolatedModules option is
// deprecated).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
// fastify's inject uses light-my-request, pinned by package.json's overrides to 6.6.0 whose `cookie`
// 1.x is CommonJS (6.8's cookie 2 is ESM only and wants Node >= 22), so node_modules needs no transform.
const transform = { transform: { '^.+\\.ts$': tsJest } };

// network/run holds Raft `.snap` files (and dist/ a build): keep them out of jest's file map, or
// jest reports them as obsolete snapshots and fails a --ci run.
const ignore = { modulePathIgnorePatterns: ['<rootDir>/network/run/', '<rootDir>/dist/'] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      ...ignore,
      ...transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      // The real Fabric network (network/): run serially, e.g. `npx jest --selectProjects integration
      // --runInBand`; scripts/test.sh brings the network down afterwards.
      displayName: 'integration',
      testEnvironment: 'node',
      ...ignore,
      ...transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      // Through the REST API only, on the same network: run serially after the integration project
      // (`npx jest --selectProjects e2e --runInBand`).
      displayName: 'e2e',
      testEnvironment: 'node',
      ...ignore,
      ...transform,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
    {
      // Faults on the real network (processes killed with SIGKILL and restarted): run serially, last
      // (`npx jest --selectProjects faults --runInBand`); needs `npm run build` (services run from dist/).
      displayName: 'faults',
      testEnvironment: 'node',
      ...ignore,
      ...transform,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
    },
    {
      // A utility org joins the live channel, on a network of its own in a temporary run directory
      // (the shared one must be down: same ports): `npx jest --selectProjects grow --runInBand`.
      displayName: 'grow',
      testEnvironment: 'node',
      ...ignore,
      ...transform,
      testMatch: ['<rootDir>/test/grow/**/*.test.ts'],
    },
  ],
};
