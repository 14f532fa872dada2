/** docs/settlement.md §6: the worked example's input (one copy for every settlement test). */
import { clearRound } from '../../../../engine/src/mechanism';
import type { WireBid, WireClearingResult } from '../../../../engine/src/mechanism/types';
import type { WireReading, WireSettlementParams } from '../../../../engine/src/settlement';

export const EXAMPLE_BIDS: readonly WireBid[] = [
  { id: 'b1', side: 'buy', price: '20', quantity: '3' },
  { id: 'b2', side: 'buy', price: '18', quantity: '2' },
  { id: 'b3', side: 'buy', price: '15', quantity: '4' },
  { id: 's1', side: 'sell', price: '8', quantity: '2' },
  { id: 's2', side: 'sell', price: '10', quantity: '3' },
  { id: 's3', side: 'sell', price: '13', quantity: '2' },
];

export const EXAMPLE_OWNERS: ReadonlyMap<string, string> = new Map([
  ['b1', 'Utility1MSP'],
  ['s1', 'Utility1MSP'],
  ['b3', 'Utility1MSP'],
  ['b2', 'Utility2MSP'],
  ['s2', 'Utility2MSP'],
  ['s3', 'Utility2MSP'],
]);

export const EXAMPLE_PARAMS: WireSettlementParams = { shortPremium: '0.2005', longDiscount: '0.1235' };

/** s2's reading is missing. */
export const EXAMPLE_READINGS: readonly WireReading[] = [
  { id: 'b1', side: 'buy', quantity: '1.6' },
  { id: 'b2', side: 'buy', quantity: '0.9' },
  { id: 'b3', side: 'buy', quantity: '0' },
  { id: 's1', side: 'sell', quantity: '1.051' },
  { id: 's3', side: 'sell', quantity: '0.2' },
];

export const exampleResult = (): WireClearingResult =>
  clearRound({ params: { serviceFee: '0.5' }, bids: [...EXAMPLE_BIDS] });

export const ownerOf =
  (owners: ReadonlyMap<string, string>) =>
  (id: string): string | undefined =>
    owners.get(id);
