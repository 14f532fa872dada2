// The import direction of the project's folders (README, "Layout"), checked by `npm run lint`:
// engine <- chaincode <- fabric-client <- network <- services (gateway, auctioneer) and tools
// (workbench, benches) <- launcher. A folder imports only folders to its left; no module cycle.

/** Each folder, and the project folders it must never import. */
const forbiddenImports = {
  engine: ['chaincode', 'fabric-client', 'network', 'gateway', 'auctioneer', 'workbench', 'launcher'],
  chaincode: ['fabric-client', 'network', 'gateway', 'auctioneer', 'workbench', 'launcher'],
  'fabric-client': ['network', 'gateway', 'auctioneer', 'workbench', 'launcher'],
  network: ['gateway', 'auctioneer', 'workbench', 'launcher'],
  // the services and the researchers' CLI stand side by side: none imports another
  gateway: ['auctioneer', 'workbench', 'launcher'],
  auctioneer: ['gateway', 'workbench', 'launcher'],
  workbench: ['gateway', 'auctioneer', 'network', 'launcher'],
};

const layerRules = Object.entries(forbiddenImports).map(([from, targets]) => ({
  name: `${from}-imports-only-lower-folders`,
  severity: 'error',
  comment: `${from}/ must not import ${targets.join(', ')} (imports point one way: README, "Layout")`,
  from: { path: `^${from}/` },
  to: { path: `^(${targets.join('|')})/` },
}));

/** The running services import no network tooling (only their benches, which start a network, do). */
const servicesWithoutNetworkTooling = {
  name: 'services-do-not-import-network-tooling',
  severity: 'error',
  comment: 'gateway/src and auctioneer/src reach the network through fabric-client/, never network/',
  from: { path: '^(gateway|auctioneer)/src/' },
  to: { path: '^network/' },
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no module imports itself through others',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    servicesWithoutNetworkTooling,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|network/run|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
