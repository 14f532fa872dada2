import { MarketContract } from './market-contract';

export { MarketContract };
/** Read by fabric-chaincode-node (see chaincode/package.json). */
export const contracts = [MarketContract];
