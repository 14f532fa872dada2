import { BidIdRegistry, certainlyNotCommitted } from '../../../gateway/src/api/bid-ids';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { bid, FakeLedger } from './fake-market';

describe('BidIdRegistry', () => {
  it('loads a round once, refuses used ids with CONFLICT naming them, and releases on request', async () => {
    const l = new FakeLedger();
    await l.addRound('r1');
    const client = l.client('Utility1MSP');
    await client.submitBids('r1', [bid('old')]);
    let loads = 0;
    const real = client.getCommitments.bind(client);
    client.getCommitments = (...args) => {
      loads += 1;
      return real(...args);
    };
    const reg = new BidIdRegistry();
    const [a, b] = await Promise.allSettled([
      reg.reserve(client, 'r1', ['x']),
      reg.reserve(client, 'r1', ['x']),
    ]);
    expect(loads).toBe(1);
    expect(a.status).toBe('fulfilled');
    expect(b.status === 'rejected' && (b.reason as MarketClientError).details).toMatchObject({ ids: ['x'] });
    await expect(reg.reserve(client, 'r1', ['y', 'old'])).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { ids: ['old'] },
    });
    if (a.status === 'fulfilled') a.value();
    await expect(reg.reserve(client, 'r1', ['x', 'y'])).resolves.toBeInstanceOf(Function);
  });

  it('does not cache a failed load; reloads an evicted round from the ledger', async () => {
    const l = new FakeLedger();
    const client = l.client('Utility1MSP');
    const loaded: string[] = [];
    const real = client.getCommitments.bind(client);
    client.getCommitments = (roundId) => {
      loaded.push(roundId);
      return real(roundId);
    };
    const reg = new BidIdRegistry(1);
    await expect(reg.reserve(client, 'r1', ['a'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await l.addRound('r1');
    await l.addRound('r2');
    await reg.reserve(client, 'r1', ['a']);
    await client.submitBids('r1', [bid('a')]);
    await reg.reserve(client, 'r2', ['a']); // keeps 1 round: evicts r1
    await expect(reg.reserve(client, 'r1', ['a'])).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(loaded).toEqual(['r1', 'r1', 'r2', 'r1']);
  });

  it('frees ids only when the batch certainly did not and will not commit', () => {
    const fate = (f: Partial<MarketClientError['fate']>) =>
      new MarketClientError('UNAVAILABLE', 'x', {}, 'tx', true, f);
    expect(certainlyNotCommitted(new MarketClientError('BIDDING_CLOSED', 'x'))).toBe(true);
    expect(certainlyNotCommitted(fate({ stage: 'endorse' }))).toBe(true);
    // reached the orderer, but the commit status says invalid
    expect(
      certainlyNotCommitted(fate({ stage: 'commit', mayHaveReachedOrderer: true, mayHaveCommitted: false })),
    ).toBe(true);
    expect(certainlyNotCommitted(fate({ stage: 'commit-status', mayHaveReachedOrderer: true }))).toBe(false);
    expect(certainlyNotCommitted(new Error('timeout'))).toBe(false);
  });

  it('gives up waiting for a hung ledger load by the deadline and reserves nothing', async () => {
    const l = new FakeLedger();
    await l.addRound('r1');
    const client = l.client('Utility1MSP');
    let unblock: () => void = () => undefined;
    let hang = true;
    const real = client.getCommitments.bind(client);
    client.getCommitments = async (roundId) => {
      if (hang) await new Promise<void>((r) => (unblock = r));
      return real(roundId);
    };
    const reg = new BidIdRegistry();
    const t0 = Date.now();
    await expect(reg.reserve(client, 'r1', ['h1'], Date.now() + 50)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
    });
    expect(Date.now() - t0).toBeLessThan(500);
    // a load that is still hung is not waited for again: the next request loads afresh
    await expect(reg.reserve(client, 'r1', ['h1'], Date.now() + 50)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    hang = false;
    unblock();
    await new Promise((r) => setTimeout(r, 10));
    expect(reg.holds('Utility1MSP', 'r1', 'h1')).toBe(false);
    await expect(reg.reserve(client, 'r1', ['h1'])).resolves.toBeInstanceOf(Function);
    expect(reg.holds('Utility1MSP', 'r1', 'h1')).toBe(true);
  });
});
