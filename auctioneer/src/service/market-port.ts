import type { MarketClient } from '../../../fabric-client/src/market-client';

/** The part of MarketClient the auctioneer uses (a fake implements it in unit tests). */
export type AuctioneerMarketPort = Pick<
  MarketClient,
  | 'openRound'
  | 'closeRound'
  | 'getRound'
  | 'listRounds'
  | 'getCommitments'
  | 'getBatchesById'
  | 'commitClearing'
  | 'getResult'
  | 'getPositions'
  | 'getSettlement'
  | 'getReadingCommitments'
  | 'getReadings'
  | 'settleDelivery'
>;
