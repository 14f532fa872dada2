import { MarketClientError } from '../../fabric-client/src/market-client';

/** The MarketClientError a call failed with (fails the test if it succeeded). */
export async function failure(p: Promise<unknown>): Promise<MarketClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MarketClientError);
  return err as MarketClientError;
}
