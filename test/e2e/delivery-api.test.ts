/**
 * Issue #15 through the REST API only, on the real Fabric network: a round opened over REST with
 * short delivery parameters (2 s slot, gate 30 s after it), bids of both utilities, cleared by the
 * operator's auctioneer service (in-process, manual mode). Then meter readings over REST: bad input
 * (a foreign bid, the wrong side, a bad CSV row, a duplicate) is refused with a problem document
 * naming the reading and writes nothing; Utility1 sends JSON and leaves one bid unread, Utility2
 * uploads CSV; a reading after the gate is 409 GATE_CLOSED. The auctioneer settles the round after
 * the gate by itself (read, compute, commit). Each utility then reads its statement, account and
 * bills (JSON and CSV): the bills sum to the account, the accounts and the operator's close the
 * books (Σ = 0), and a utility is refused the other's account, bills, statement and readings.
 * Run serially: `npx jest --selectProjects e2e --runInBand`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settlement } from '../../chaincode/src/model';
import { DEMO_TOKENS } from '../../gateway/src/api/config';
import { startMarketServices, type MarketServices } from './market-services';
import { ApiClient, instant, waitCleared } from '../../gateway/src/rest-client';
import { parseMoney } from '../../engine/src/mechanism/units';

const MINUTE = 60_000;
const SLOT_SECONDS = 2;
const GATE_SECONDS = 30;
const log = (line: string) => process.stdout.write(line + '\n');

interface Problem {
  status: number;
  code: string;
  errors?: { path?: string; id?: string; field?: string; reason: string }[];
}

async function postCsv(
  url: string,
  token: string,
  p: string,
  text: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url + p, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: text,
  });
  return { status: res.status, body: await res.json() };
}

async function waitSettled(operator: ApiClient, roundId: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await operator.round(roundId);
    if (v.round.status === 'SETTLED') return;
    if (Date.now() > end) throw new Error(`round ${roundId} still ${v.round.status} after ${timeoutMs} ms`);
    await sleep(1000);
  }
}

interface AccountView {
  totals: { net: string };
  entries: { roundId: string; net: string }[];
}

/**
 * A utility's account entry of the round (its public position's money), and its bills of the slot
 * summing to it exactly, in JSON and CSV; returns the entry's net.
 */
async function checkAccountAndBills(
  url: string,
  token: string,
  msp: string,
  roundId: string,
  slot: number,
  moneyNet: string | undefined,
): Promise<string> {
  const who = new ApiClient(url, token);
  const acc = await who.request('GET', `/v1/accounts/${msp}?from=${instant(slot)}`);
  expect(acc.status).toBe(200);
  const entry = (acc.body as AccountView).entries.find((e) => e.roundId === roundId);
  expect(entry?.net).toBe(moneyNet);
  const period = `from=${instant(slot)}&to=${instant(slot + 1000)}`;
  const bills = (await who.request('GET', `/v1/accounts/${msp}/bills?${period}`)).body as {
    rounds: string[];
    bills: { prosumer: string; net: string }[];
  };
  expect(bills.rounds).toEqual([roundId]);
  expect(bills.bills.reduce((sum, b) => sum + parseMoney(b.net), 0n)).toBe(parseMoney(entry?.net ?? 'x'));
  const csvRes = await fetch(`${url}/v1/accounts/${msp}/bills?format=csv&${period}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(csvRes.headers.get('content-type')).toMatch(/^text\/csv/);
  expect((await csvRes.text()).trim().split('\n')).toHaveLength(bills.bills.length + 1);
  return entry?.net ?? '0';
}

describe('delivery through the REST API on the Fabric network', () => {
  let services: MarketServices | undefined;

  beforeAll(async () => {
    services = await startMarketServices({
      tag: 'delivery-e2e',
      batchMaxWaitMs: 20,
      reconcileIntervalMs: 2_000,
      log,
    });
  }, 10 * MINUTE);

  afterAll(async () => {
    await services?.close();
  });

  it(
    'takes readings over REST, refuses bad and late ones, settles once after the gate, and serves accounts and bills',
    async () => {
      const { url } = services!;
      const operator = new ApiClient(url, DEMO_TOKENS.operator);
      const u1 = new ApiClient(url, DEMO_TOKENS.utility1);
      const u2 = new ApiClient(url, DEMO_TOKENS.utility2);
      const csv = (token: string, p: string, text: string) => postCsv(url, token, p, text);

      const now = Date.now();
      const roundId = `delivery-e2e-${now}`;
      const closesAt = now + 20_000;
      const slot = Math.ceil((closesAt + 2_000) / 1000) * 1000;
      const gate = slot + (SLOT_SECONDS + GATE_SECONDS) * 1000;
      const opened = await operator.request('POST', '/v1/rounds', {
        id: roundId,
        slot: instant(slot),
        closesAt: instant(closesAt),
        delivery: {
          shortPremium: '0.25',
          longDiscount: '0.15',
          slotSeconds: SLOT_SECONDS,
          gateClosureSeconds: GATE_SECONDS,
        },
      });
      expect(opened.status).toBe(201);
      // a delivery parameter of the wrong shape is refused by the API's schema
      const badDelivery = await operator.request('POST', '/v1/rounds', {
        id: `${roundId}-x`,
        slot: instant(slot),
        closesAt: instant(closesAt),
        delivery: { slotSeconds: 'two' },
      });
      expect(badDelivery.status).toBe(400);

      const r1 = await u1.submitBids(roundId, [
        { id: 'h1', side: 'buy', price: '20', quantity: '3' },
        { id: 'h2', side: 'buy', price: '18', quantity: '2' },
        { id: 'h3', side: 'sell', price: '6', quantity: '1.5' },
      ]);
      const r2 = await u2.submitBids(roundId, [
        { id: 'g1', side: 'sell', price: '8', quantity: '2.5' },
        { id: 'g2', side: 'sell', price: '9', quantity: '2' },
      ]);
      const { round } = await waitCleared(operator, roundId, 3 * MINUTE);
      expect(round.status).toBe('CLEARED');
      const s1 = await u1.settlement(roundId);
      const s2 = await u2.settlement(roundId);
      const allocated = (s: Settlement, id: string): string =>
        s.lines.find((l) => l.id === id)?.quantity ?? 'none';
      log(
        `delivery e2e: cleared; Utility1 ${JSON.stringify(s1.lines)}; Utility2 ${JSON.stringify(s2.lines)}`,
      );
      expect(allocated(s1, 'h1')).not.toBe('none');

      const readingsPath = `/v1/rounds/${roundId}/meter-readings`;
      // bad input: each refused naming the reading, nothing written
      const foreign = await u1.request('POST', readingsPath, {
        readings: [{ batchId: r2.batchId, id: 'g1', side: 'sell', quantity: '1' }],
      });
      expect(foreign.status).toBe(422);
      expect((foreign.body as Problem).errors?.[0]).toMatchObject({ id: `${r2.batchId}/g1`, field: 'id' });
      const wrongSide = await u1.request('POST', readingsPath, {
        readings: [{ batchId: r1.batchId, id: 'h1', side: 'sell', quantity: '1' }],
      });
      expect(wrongSide.status).toBe(422);
      expect((wrongSide.body as Problem).errors?.[0]).toMatchObject({ field: 'side' });
      const badRow = await csv(
        DEMO_TOKENS.utility2,
        readingsPath,
        `batchId,id,side,quantity\n${r2.batchId},g1,sell,2.4\n${r2.batchId},g2,sell,lots\n`,
      );
      expect(badRow.status).toBe(422);
      expect((badRow.body as Problem).errors).toEqual([
        expect.objectContaining({ path: 'csv/row/3', id: `${r2.batchId}/g2`, field: 'quantity' }),
      ]);
      const dup = await u1.request('POST', readingsPath, {
        readings: [
          { batchId: r1.batchId, id: 'h1', side: 'buy', quantity: '1' },
          { batchId: r1.batchId, id: 'h1', side: 'buy', quantity: '2' },
        ],
      });
      expect(dup.status).toBe(422);
      for (const who of [operator, u1, u2]) {
        const own = await who.request(
          'GET',
          `/v1/rounds/${roundId}/statement${who === operator ? '?utility=Utility1MSP' : ''}`,
        );
        expect(own.status).toBe(404); // not settled yet
      }

      // good readings: Utility1 as JSON (h2 left unread), Utility2 as CSV
      const ok1 = await u1.request('POST', readingsPath, {
        readings: [
          { batchId: r1.batchId, id: 'h1', side: 'buy', quantity: '3.2' },
          { batchId: r1.batchId, id: 'h3', side: 'sell', quantity: '1.2' },
        ],
      });
      expect(ok1).toMatchObject({ status: 201, body: { accepted: 2 } });
      const ok2 = await csv(
        DEMO_TOKENS.utility2,
        readingsPath,
        `batchId,id,side,quantity\n${r2.batchId},g1,sell,2.6\n${r2.batchId},g2,sell,1.1\n`,
      );
      expect(ok2).toMatchObject({ status: 201, body: { accepted: 2 } });
      const again = await u1.request('POST', readingsPath, {
        readings: [{ batchId: r1.batchId, id: 'h1', side: 'buy', quantity: '3.2' }],
      });
      expect(again.status).toBe(422); // already read

      await sleep(Math.max(0, gate - Date.now() + 1500));
      const late = await u1.request('POST', readingsPath, {
        readings: [{ batchId: r1.batchId, id: 'h2', side: 'buy', quantity: '2' }],
      });
      expect(late.status).toBe(409);
      expect((late.body as Problem).code).toBe('GATE_CLOSED');

      // the auctioneer settles by itself after the gate
      await waitSettled(operator, roundId, 2 * MINUTE);
      log(`delivery e2e: settled ${Date.now() - gate} ms after the gate`);

      const st1 = (await u1.request('GET', `/v1/rounds/${roundId}/statement`)).body as {
        lines: { id: string; reading: string; net: string }[];
      };
      expect(st1.lines.find((l) => l.id.endsWith('/h2'))?.reading).toBe('missing');
      const positions = (await u1.request('GET', `/v1/rounds/${roundId}/delivery`)).body as {
        utility: string;
        moneyNet: string;
      }[];
      expect(positions.map((p) => p.utility).sort()).toEqual(['Utility1MSP', 'Utility2MSP']);

      const nets: string[] = [];
      for (const [token, msp] of [
        [DEMO_TOKENS.utility1, 'Utility1MSP'],
        [DEMO_TOKENS.utility2, 'Utility2MSP'],
      ] as const) {
        const moneyNet = positions.find((p) => p.utility === msp)?.moneyNet;
        nets.push(await checkAccountAndBills(url, token, msp, roundId, slot, moneyNet));
      }
      // the books close: Σ utilities + the operator's side of this round = 0
      const opAcc = (await operator.request('GET', '/v1/accounts/operator')).body as {
        entries: { roundId: string; net: string }[];
      };
      const opEntry = opAcc.entries.find((e) => e.roundId === roundId);
      const sum = nets.reduce((acc, n) => acc + parseMoney(n), parseMoney(opEntry?.net ?? 'x'));
      expect(sum).toBe(0n);

      // tenancy: Utility1 is refused Utility2's account, bills, statement; the operator reads both
      expect(
        await Promise.all(
          [
            '/v1/accounts/Utility2MSP',
            '/v1/accounts/Utility2MSP/bills',
            `/v1/rounds/${roundId}/statement?utility=Utility2MSP`,
            `/v1/rounds/${roundId}/bids?utility=Utility2MSP`,
            '/v1/accounts/operator',
          ].map(async (p) => (await u1.request('GET', p)).status),
        ),
      ).toEqual([403, 403, 403, 403, 403]);
      expect((await operator.request('GET', '/v1/accounts/Utility2MSP')).status).toBe(200);
    },
    8 * MINUTE,
  );
});
