import type { MarketClient } from '../market/market-client';

/** The part of MarketClient the API uses (a fake implements it in unit tests). */
export type MarketPort = Pick<
  MarketClient,
  | 'mspId'
  | 'openRound'
  | 'closeRound'
  | 'submitBids'
  | 'getRound'
  | 'listRounds'
  | 'getCommitments'
  | 'getBatchesById'
  | 'getResult'
  | 'getPositions'
  | 'getSettlement'
>;
