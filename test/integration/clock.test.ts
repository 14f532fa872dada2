/**
 * Issue #10 defect 2 on the real network: the chaincode's time rules must not rest on the proposal
 * timestamp alone, which the client chooses. Each dishonest case forges the channel header's
 * timestamp of an ordinary proposal, re-signs it with the client's own key and sends it through the
 * peer's Gateway service (forged-proposal.ts); the endorsers' clock guard must refuse it.
 *
 * The network is brought up (or reused) here; scripts/test.sh takes it down afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import type { Contract, Gateway, ProposalOptions, Signer } from '@hyperledger/fabric-gateway';
import type { WireBid } from '../../engine/src/mechanism/types';
import type { RoundRecord } from '../../chaincode/src/model';
import { MarketClient } from '../../fabric-client/src/market-client';
import { connectGateway, gatewayOptions, readConnectionProfile } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';
import { submitForged, type ForgedOutcome } from './forged-proposal';
import { whileUnavailable } from './round-helpers';

const MINUTE = 60_000;
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const run = `clk-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
const bid = (id: string): WireBid[] => [{ id, side: 'buy', price: '15', quantity: '1' }];

/** One org's identity three ways: a typed client, and the raw parts a forger needs. */
interface Party {
  market: MarketClient;
  gateway: Gateway;
  contract: Contract;
  signer: Signer;
}

async function party(msp: string): Promise<Party> {
  const gateway = await connectGateway(msp);
  const contract = gateway.getNetwork('energy').getContract('market');
  const signer = gatewayOptions(readConnectionProfile(msp)).signer;
  if (!signer) throw new Error(`no signer for ${msp}`);
  return { market: new MarketClient(contract, msp), gateway, contract, signer };
}

const forged = (p: Party, name: string, options: ProposalOptions, timeMs: number): Promise<ForgedOutcome> =>
  submitForged(name, options, { gateway: p.gateway, contract: p.contract, signer: p.signer, timeMs });

/** A SubmitBids exactly as MarketClient.submitBids builds it, endorsed by the utility and operator. */
const bidsProposal = (roundId: string, bids: WireBid[]): ProposalOptions => ({
  arguments: [roundId],
  transientData: { batch: JSON.stringify({ salt: randomBytes(16).toString('hex'), bids }) },
  endorsingOrganizations: [U1, OP],
});

describe('the endorsers’ clock guard against forged proposal timestamps (issue #10)', () => {
  let op: Party;
  let u1: Party;
  let roundA: RoundRecord;
  let roundB: RoundRecord;
  let closesAtMs: number;

  /** Opens a round as the operator; retries while the orderers elect a leader right after `up`. */
  async function openRound(id: string, closesInMs: number): Promise<RoundRecord> {
    return whileUnavailable(() => {
      const closesAt = instant(Math.ceil((Date.now() + closesInMs) / 1000) * 1000);
      return op.market.openRound({ id, slot: instant(Date.now() + 60 * MINUTE), closesAt });
    });
  }

  const report = (what: string, o: ForgedOutcome) =>
    log(`[clock] ${what}: ${o.outcome}${o.outcome === 'refused' ? ` ${o.code} — ${o.message}` : ''}`);

  beforeAll(async () => {
    await up({ log });
    [op, u1] = [await party(OP), await party(U1)];
    roundA = await openRound(`${run}-a`, 15_000);
    roundB = await openRound(`${run}-b`, 10 * MINUTE);
    closesAtMs = Date.parse(roundA.closesAt);
  }, 15 * MINUTE);

  afterAll(() => {
    // unset when beforeAll failed before connecting them
    const parties: (Party | undefined)[] = [op, u1];
    for (const p of parties) p?.gateway.close();
  });

  test(
    '(c) an honest bid while open is accepted, also when sent through the forging path',
    async () => {
      await u1.market.submitBids(roundA.id, bid('honest'));
      const resent = await forged(u1, 'SubmitBids', bidsProposal(roundA.id, bid('same-time')), Date.now());
      report('bid re-signed with its own timestamp', resent);
      expect(resent.outcome).toBe('committed');
      const slightlyOff = await forged(
        u1,
        'SubmitBids',
        bidsProposal(roundA.id, bid('2s-back')),
        Date.now() - 2000,
      );
      report('bid 2 s backdated (within the skew) while open', slightlyOff);
      expect(slightlyOff.outcome).toBe('committed');
    },
    2 * MINUTE,
  );

  test(
    '(b) a future-dated bid while the round is open is refused',
    async () => {
      const ahead = await forged(
        u1,
        'SubmitBids',
        bidsProposal(roundB.id, bid('ahead')),
        Date.now() + MINUTE,
      );
      report('bid dated 60 s ahead into a round open 10 more minutes', ahead);
      expect(ahead).toMatchObject({ outcome: 'refused', code: 'CLOCK_SKEW' });
    },
    2 * MINUTE,
  );

  test(
    '(a) after closesAt, before CloseRound: a bid dated within the skew but before closesAt is refused',
    async () => {
      const wait = closesAtMs - Date.now() + 1000;
      if (wait > 0) await sleep(wait);
      // now ≈ closesAt + 1 s: dated 1 s before the close, the timestamp agrees with the endorsers'
      // clocks, so only the endorser-clock-past-close rule can refuse it.
      const late = await forged(u1, 'SubmitBids', bidsProposal(roundA.id, bid('late-1s')), closesAtMs - 1000);
      report('late bid dated 1 s before closesAt', late);
      expect(late).toMatchObject({ outcome: 'refused', code: 'BIDDING_CLOSED' });
    },
    2 * MINUTE,
  );

  test(
    '(a) after closesAt, before CloseRound: a bid backdated 60 s is refused',
    async () => {
      expect(Date.now()).toBeGreaterThan(closesAtMs);
      const backdated = await forged(
        u1,
        'SubmitBids',
        bidsProposal(roundA.id, bid('late-60s')),
        Date.now() - MINUTE,
      );
      report('late bid dated 60 s back', backdated);
      expect(backdated).toMatchObject({ outcome: 'refused', code: 'CLOCK_SKEW' });
      expect((await op.market.getRound(roundA.id)).status).toBe('OPEN');
    },
    2 * MINUTE,
  );

  test(
    '(d) a backdated CloseRound is refused',
    async () => {
      const backClose = await forged(op, 'CloseRound', { arguments: [roundA.id] }, Date.now() - MINUTE);
      report('CloseRound after closesAt dated 60 s back', backClose);
      expect(backClose).toMatchObject({ outcome: 'refused', code: 'CLOCK_SKEW' });
    },
    2 * MINUTE,
  );

  test(
    '(d) a CloseRound dated after closesAt but sent 10 minutes early is refused',
    async () => {
      const earlyClose = await forged(
        op,
        'CloseRound',
        { arguments: [roundB.id] },
        Date.parse(roundB.closesAt) + 1000,
      );
      report('CloseRound of a round open 10 more minutes, dated after its close', earlyClose);
      expect(earlyClose).toMatchObject({ outcome: 'refused', code: 'CLOCK_SKEW' });
      expect((await op.market.getRound(roundB.id)).status).toBe('OPEN');
    },
    2 * MINUTE,
  );

  test(
    '(d) a backdated OpenRound whose closesAt has already passed is refused',
    async () => {
      // closesAt is 30 s past by every clock; dated 60 s back, it looks like the future.
      const request = {
        id: `${run}-d`,
        slot: instant(Date.now() + 60 * MINUTE),
        closesAt: instant(Date.now() - 30_000),
      };
      const backOpen = await forged(
        op,
        'OpenRound',
        { arguments: [JSON.stringify(request)] },
        Date.now() - MINUTE,
      );
      report('OpenRound closing 30 s ago, dated 60 s back', backOpen);
      expect(backOpen).toMatchObject({ outcome: 'refused', code: 'CLOCK_SKEW' });
    },
    2 * MINUTE,
  );

  test(
    'the honest close then counts only the bids sent in time',
    async () => {
      const closed = await op.market.closeRound(roundA.id);
      const commitments = await op.market.getCommitments(roundA.id);
      log(
        `[clock] round ${roundA.id} closed with ${closed.bidCount} bid(s) in ${closed.batchCount} batch(es)`,
      );
      expect(commitments).toHaveLength(3);
      expect(closed.bidCount).toBe(3);
    },
    2 * MINUTE,
  );
});
