import type { MarketClient } from '../../../gateway/src/market/market-client';

/** The part of MarketClient the auctioneer uses (a fake implements it in unit tests). */
export type MarketPort = Pick<
  MarketClient,
  | 'openRound'
  | 'closeRound'
  | 'getRound'
  | 'listRounds'
  | 'getCommitments'
  | 'getBatchesById'
  | 'commitClearing'
>;
