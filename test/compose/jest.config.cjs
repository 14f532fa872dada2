/**
 * `npm run test:compose`: docker-compose.yaml on Podman (deploy/compose/compose.sh), the last phase
 * of `npm test`. Needs `npm run build` and `npm run images:build`, and the network lock: it binds
 * the native network's ports. Run: flock /tmp/energy-network.lock npm run test:compose
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/compose/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/network/run/', '<rootDir>/dist/', '<rootDir>/work/'],
  testTimeout: 60_000,
};
