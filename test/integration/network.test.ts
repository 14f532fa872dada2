/**
 * The real Fabric network (network/src): brings it up (or reuses the running one), then exercises
 * the market chaincode through @hyperledger/fabric-gateway as the operator and two utilities:
 * round opening with its chaincode event, sealed bid submission endorsed by the utility and the
 * operator, private reads, refusal of another utility's bids, and persistence across down + up.
 *
 * scripts/test.sh takes the network down afterwards, whatever the outcome.
 */
import { GatewayError, type ChaincodeEvent, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { randomBytes } from 'node:crypto';
import { connectGateway } from '../../fabric-client/src/connect';
import { down, status, up } from '../../network/src/network';

const CHANNEL = 'energy';
const CHAINCODE = 'market';
const MINUTE = 60_000;
const utf8 = new TextDecoder();

const log = (line: string) => process.stdout.write(line + '\n');

/** Everything a failed gateway call says: message plus each peer's detail (chaincode errors). */
function errorText(err: unknown): string {
  if (err instanceof GatewayError) {
    return [err.message, ...err.details.map((d) => `${d.mspId}@${d.address}: ${d.message}`)].join('\n');
  }
  return String(err);
}

interface Clients {
  operator: Gateway;
  utility1: Gateway;
  utility2: Gateway;
}

async function connectAll(): Promise<Clients> {
  return {
    operator: await connectGateway('OperatorMSP'),
    utility1: await connectGateway('Utility1MSP'),
    utility2: await connectGateway('Utility2MSP'),
  };
}

function closeAll(c: Clients | undefined): void {
  if (!c) return;
  for (const g of [c.operator, c.utility1, c.utility2]) g.close();
}

const market = (g: Gateway): Contract => g.getNetwork(CHANNEL).getContract(CHAINCODE);

describe('Fabric network (native)', () => {
  let clients: Clients | undefined;
  const roundId = `it-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const salt = randomBytes(16).toString('hex');
  const bids = [
    { id: 'b1', side: 'buy', price: '14.1', quantity: '2.5' },
    { id: 's1', side: 'sell', price: '9.5', quantity: '1.25' },
  ];

  beforeAll(async () => {
    await up({ log });
    clients = await connectAll();
  }, 15 * MINUTE);

  afterAll(() => closeAll(clients));

  test('every orderer, peer and chaincode server is running and healthy', async () => {
    const nodes = await status();
    expect(nodes.map((n) => n.name).sort()).toEqual(
      [
        'chaincode.operator',
        'chaincode.utility1',
        'chaincode.utility2',
        'orderer1',
        'orderer2',
        'orderer3',
        'peer0.operator',
        'peer0.utility1',
        'peer0.utility2',
      ].sort(),
    );
    expect(nodes.filter((n) => !n.healthy)).toEqual([]);
  });

  test(
    'the operator opens a round and a RoundOpened chaincode event arrives',
    async () => {
      const network = clients!.operator.getNetwork(CHANNEL);
      // No checkpointer, no start block: events from the next block on, started before the submit.
      const events = await network.getChaincodeEvents(CHAINCODE);
      try {
        const closesAt = new Date(Date.now() + 60 * MINUTE).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const request = { id: roundId, slot: '2026-01-01T13:00:00Z', closesAt };
        const result = await market(clients!.operator).submitTransaction(
          'OpenRound',
          JSON.stringify(request),
        );
        expect(JSON.parse(utf8.decode(result))).toMatchObject({ id: roundId, status: 'OPEN' });

        const received: ChaincodeEvent[] = [];
        const timeout = setTimeout(() => events.close(), MINUTE);
        for await (const event of events) {
          received.push(event);
          if (event.eventName === 'RoundOpened' && utf8.decode(event.payload).includes(roundId)) break;
        }
        clearTimeout(timeout);
        const opened = received.find((e) => e.eventName === 'RoundOpened');
        expect(opened).toBeDefined();
        expect(JSON.parse(utf8.decode(opened!.payload))).toMatchObject({ roundId });
      } finally {
        events.close();
      }
    },
    2 * MINUTE,
  );

  test('any org evaluates GetRound', async () => {
    const round: unknown = JSON.parse(
      utf8.decode(await market(clients!.utility1).evaluateTransaction('GetRound', roundId)),
    );
    expect(round).toMatchObject({ id: roundId, status: 'OPEN', slot: '2026-01-01T13:00:00Z' });
  });

  test(
    'Utility1 submits a sealed bid batch endorsed by Utility1 and Operator peers',
    async () => {
      const commitment = await market(clients!.utility1).submit('SubmitBids', {
        arguments: [roundId],
        transientData: { batch: JSON.stringify({ salt, bids }) },
        endorsingOrganizations: ['Utility1MSP', 'OperatorMSP'],
      });
      const c: unknown = JSON.parse(utf8.decode(commitment));
      expect(c).toMatchObject({ roundId, bidCount: 2 });
      // Only the salted hash is public: the commitment carries neither prices nor quantities.
      expect(utf8.decode(commitment)).not.toContain('14.1');
    },
    2 * MINUTE,
  );

  test('Utility1 reads its own batch back (private data)', async () => {
    const batches = JSON.parse(
      utf8.decode(await market(clients!.utility1).evaluateTransaction('GetBatches', roundId, '')),
    ) as { salt: string; bids: unknown[] }[];
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ salt, bids });
  });

  test("Utility2's client is refused Utility1's bids", async () => {
    let failure: unknown;
    try {
      await market(clients!.utility2).evaluateTransaction('GetBatches', roundId, 'Utility1MSP');
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeDefined();
    expect(errorText(failure)).toMatch(/FORBIDDEN/);
    // Its own view of the round holds no batch.
    const own: unknown = JSON.parse(
      utf8.decode(await market(clients!.utility2).evaluateTransaction('GetBatches', roundId, '')),
    );
    expect(own).toEqual([]);
  });

  test(
    'after network down + up the round and the sealed batch are still there',
    async () => {
      closeAll(clients);
      clients = undefined;
      const stopped = await down({ log });
      expect(stopped.length).toBe(9);
      expect((await status()).every((n) => n.pid === undefined)).toBe(true);

      await up({ log });
      clients = await connectAll();
      const round: unknown = JSON.parse(
        utf8.decode(await market(clients.operator).evaluateTransaction('GetRound', roundId)),
      );
      expect(round).toMatchObject({ id: roundId, status: 'OPEN' });
      const batches = JSON.parse(
        utf8.decode(await market(clients.utility1).evaluateTransaction('GetBatches', roundId, '')),
      ) as { salt: string; bids: unknown[] }[];
      expect(batches).toHaveLength(1);
      expect(batches[0]).toMatchObject({ salt, bids });
    },
    10 * MINUTE,
  );
});
