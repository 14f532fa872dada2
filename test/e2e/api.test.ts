/**
 * End to end through the REST API only, on the real Fabric network (network/src): the network is
 * brought up (or reused), the API runs in-process on 127.0.0.1 (free port) with one gateway per
 * org, and the operator's auctioneer service runs in-process (manual mode) to close and clear.
 *  - two utilities submit simulated bids concurrently (many requests, micro-batched);
 *  - every acknowledged bid is in the round; a utility cannot read the other's bids/settlement;
 *  - the public result equals the offline clearing (clearRound) of exactly the same bids, assembled
 *    as the chaincode does (a bid is its batch and position); each utility's settlement equals its
 *    lines of that clearing.
 * Run serially: `npx jest --selectProjects e2e --runInBand`.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import { assembleRoundInput, type AssemblyBatch } from '../../chaincode/src/assemble';
import type { WireBid } from '../../engine/src/mechanism/types';
import { simulateRound } from '../../engine/src/sim/simulate';
import { DEMO_TOKENS } from '../../gateway/src/api/config';
import { startMarketServices, type MarketServices } from './market-services';
import { ApiClient, instant, waitCleared } from '../../gateway/src/rest-client';
import { splitBids } from '../../launcher/src/demo';

const MINUTE = 60_000;
const log = (line: string) => process.stdout.write(line + '\n');

describe('REST API end to end on the Fabric network', () => {
  let services: MarketServices | undefined;

  beforeAll(async () => {
    services = await startMarketServices({
      tag: 'api-e2e',
      batchMaxWaitMs: 50,
      reconcileIntervalMs: 5_000,
      log,
    });
  }, 10 * MINUTE);

  afterAll(async () => {
    await services?.close();
  });

  it(
    'two utilities bid concurrently; the round clears exactly as the offline mechanism; each reads only its own settlement',
    async () => {
      const { url } = services!;
      const operator = new ApiClient(url, DEMO_TOKENS.operator);
      const utilities = [
        { msp: 'Utility1MSP', api: new ApiClient(url, DEMO_TOKENS.utility1) },
        { msp: 'Utility2MSP', api: new ApiClient(url, DEMO_TOKENS.utility2) },
      ];
      const sim = simulateRound({ buyers: 24, sellers: 24, seed: 4242 });
      const now = Date.now();
      const roundId = `e2e-${now}`;
      const opened = await operator.openRound({
        id: roundId,
        slot: instant(Math.ceil((now + MINUTE) / 900_000) * 900_000),
        closesAt: instant(now + 25_000),
      });
      expect(opened.status).toBe('OPEN');

      // a utility cannot open rounds or bid in another org's name
      expect(
        (
          await utilities[0]!.api.request('POST', '/v1/rounds', {
            id: 'x',
            slot: opened.slot,
            closesAt: opened.closesAt,
          })
        ).status,
      ).toBe(403);

      const plan = splitBids(sim.bids, 2);
      const acked = new Map<string, WireBid[]>([
        ['Utility1MSP', []],
        ['Utility2MSP', []],
      ]);
      const batchIds = new Set<string>();
      let requests = 0;
      await Promise.all(
        utilities.map((u, i) =>
          Promise.all(
            (plan[i] ?? []).map(async (bids) => {
              requests += 1;
              const r = await u.api.submitBids(roundId, bids);
              expect(r.accepted).toBe(bids.length);
              batchIds.add(r.batchId);
              acked.get(u.msp)?.push(...bids);
            }),
          ),
        ),
      );
      expect(batchIds.size).toBeLessThan(requests); // micro-batched
      // a reused id is refused with 409 and changes nothing
      const reuse = await utilities[0]!.api.request('POST', `/v1/rounds/${roundId}/bids`, {
        bids: [plan[0]![0]![0]],
      });
      expect(reuse.status).toBe(409);

      // tenancy: another utility's data is refused
      expect(
        (await utilities[0]!.api.request('GET', `/v1/rounds/${roundId}/bids?utility=Utility2MSP`)).status,
      ).toBe(403);

      // every acknowledged bid is in the round (own view), in the batch its receipt named
      const stored: AssemblyBatch[] = [];
      for (const u of utilities) {
        const own = await u.api.bids(roundId);
        const ids = own.batches
          .flatMap((b) => b.bids)
          .map((b) => b.id)
          .sort();
        expect(ids).toEqual((acked.get(u.msp) ?? []).map((b) => b.id).sort());
        for (const b of own.batches) stored.push({ utility: u.msp, batchId: b.batchId, bids: b.bids });
      }
      expect(new Set(stored.map((b) => b.batchId))).toEqual(batchIds);

      const { round, result } = await waitCleared(operator, roundId, 4 * MINUTE);
      expect(round.status).toBe('CLEARED');
      expect(result).not.toBeNull();
      if (!result) return;

      const { input, origins } = assembleRoundInput(round.params, stored);
      const offline = clearRound(input);
      expect(result.bidCount).toBe(sim.bids.length);
      expect(result.status).toBe(offline.status);
      expect(result.price).toBe(offline.price);
      expect(result.priceRange).toEqual(offline.priceRange);
      expect(result.totals).toEqual(offline.totals);
      expect(result.metrics).toEqual(offline.metrics);
      expect(result.resultDigest).toBe(createHash('sha256').update(canonicalJson(offline)).digest('hex'));
      expect(offline.status).toBe('cleared');

      for (const u of utilities) {
        const s = await u.api.settlement(roundId);
        expect(s.utility).toBe(u.msp);
        const expected = [
          ...offline.buyers.map((b) => ({ ...b, side: 'buy' })),
          ...offline.sellers.map((x) => ({ ...x, side: 'sell' })),
        ]
          .map((l) => ({ line: l, origin: origins.get(l.id)! }))
          .filter(({ origin }) => origin.utility === u.msp)
          .map(({ line, origin }) => ({
            batchId: origin.batchId,
            id: origin.id,
            side: line.side,
            quantity: line.quantity,
            payment: line.payment,
          }))
          .sort((a, b) => a.id.localeCompare(b.id));
        const got = [...s.lines].sort((a, b) => a.id.localeCompare(b.id));
        expect(got).toEqual(expected);
        const other = utilities.find((x) => x.msp !== u.msp)?.msp ?? '';
        expect((await u.api.request('GET', `/v1/rounds/${roundId}/settlement?utility=${other}`)).status).toBe(
          403,
        );
      }
      const opView = await operator.settlement(roundId, 'Utility2MSP');
      expect(opView.utility).toBe('Utility2MSP');
      const positions = await operator.positions(roundId);
      expect(positions.map((p) => p.utility).sort()).toEqual(['Utility1MSP', 'Utility2MSP']);
    },
    8 * MINUTE,
  );
});
