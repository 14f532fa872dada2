import type { MarketClient } from '../../../fabric-client/src/market-client';

/** The part of MarketClient the API uses (a fake implements it in unit tests). */
export type ApiMarketPort = Pick<
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
  | 'submitMeterReadings'
  | 'getReadings'
  | 'getStatement'
  | 'getAccount'
  | 'getDeliveryPositions'
  | 'getDelivery'
>;
