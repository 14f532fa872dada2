/**
 * The REST API maps each credential to one enrolled identity (issue #13): a tenant with
 * `identity` signs its transactions with that identity's key, seen in the blocks as the
 * transaction's creator, and revoking it at the org's CA refuses that tenant only. The creators
 * are read from the blocks (qscc), not from what the API says.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import type { Gateway } from '@hyperledger/fabric-gateway';
import type { WireBid } from '../../engine/src/mechanism/types';
import { loadConfig, type Tenant } from '../../gateway/src/api/config';
import { startApi, type ApiHandle } from '../../gateway/src/api/server';
import { connectGatewayWith, readConnectionProfile } from '../../fabric-client/src/connect';
import { MarketClient } from '../../fabric-client/src/market-client';
import { topology } from '../../network/config/topology';
import { revokeIdentity } from '../../network/src/identity';
import { up } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import { chainHeight, envelopeCreators } from './block-bytes';
import { whileUnavailable } from './round-helpers';

const MINUTE = 60_000;
const CHANNEL = 'energy';
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const run = `apiid-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
const paths = new RunPaths();
const u1Org = topology().orgs.find((o) => o.mspId === U1)!;
const alice = `alice-${randomBytes(3).toString('hex')}`;
const TOKENS = { alice: `tok-alice-${run}`, u1: `tok-u1-${run}`, op: `tok-op-${run}` };
/** The tenant table: alice's entry as `identity register` prints it, the org's bidder, the operator. */
const tenantsWith = (aliceTenant: Tenant): Record<string, Tenant> => ({
  [TOKENS.alice]: aliceTenant,
  [TOKENS.u1]: { mspId: U1, role: 'utility', name: 'utility1' },
  [TOKENS.op]: { mspId: OP, role: 'operator', name: 'operator' },
});

/** `identity register` as a user runs it (the built CLI): the certificate path and the tenant entry it prints. */
function registerWithCli(name: string): { certPath: string; tenant: Tenant } {
  const out = execFileSync(
    process.execPath,
    [
      'dist/network/src/cli.js',
      'identity',
      'register',
      '--org',
      'Utility1',
      '--role',
      'bidder',
      '--name',
      name,
    ],
    { encoding: 'utf8' },
  );
  const certPath = /certificate (\S+)/.exec(out)?.[1];
  const tenant = /API tenant \(.*\): (\{.*\})/.exec(out)?.[1];
  if (certPath === undefined || tenant === undefined)
    throw new Error(`unexpected output of identity register:\n${out}`);
  return { certPath, tenant: JSON.parse(tenant) as Tenant };
}

let nextBid = 0;
const bids = (): WireBid[] => [
  { id: `b${++nextBid}`, side: 'buy', price: '20', quantity: '3' },
  { id: `s${++nextBid}`, side: 'sell', price: '8', quantity: '2' },
];
const samePem = (a: string, b: string) =>
  new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256;

describe('the API signs each tenant’s transactions with its enrolled identity', () => {
  let api: ApiHandle | undefined;
  let gateway: Gateway | undefined;
  let roundId: string;
  let aliceCert: string;
  let bidderCert: string;

  const post = (token: string, body: unknown) =>
    fetch(`${api!.url}/v1/rounds/${roundId}/bids`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const qscc = () => gateway!.getNetwork(CHANNEL).getContract('qscc');
  const height = async () => chainHeight(await qscc().evaluateTransaction('GetChainInfo', CHANNEL));

  /** The envelopes of blocks [from, height) that name `batchId` (the commitment key it writes). */
  async function envelopesNaming(from: bigint, batchId: string) {
    const to = await height();
    const found = [];
    for (let n = from; n < to; n++) {
      const block = await qscc().evaluateTransaction('GetBlockByNumber', CHANNEL, String(n));
      for (const e of envelopeCreators(block)) {
        if (Buffer.from(e.bytes).includes(Buffer.from(batchId))) found.push(e);
      }
    }
    return found;
  }

  beforeAll(async () => {
    await up({ log });
    const registered = registerWithCli(alice);
    expect(registered.tenant).toEqual({ mspId: U1, role: 'utility', name: alice, identity: alice });
    aliceCert = fs.readFileSync(registered.certPath, 'utf8');
    bidderCert = fs.readFileSync(paths.enrolledIdentity(u1Org, 'bidder').certPath, 'utf8');
    gateway = await connectGatewayWith(readConnectionProfile(U1));
    const profile = readConnectionProfile(OP);
    const opGateway = await connectGatewayWith({
      ...profile,
      identities: {
        ...profile.identities,
        user: {
          name: 'auctioneer',
          ...paths.enrolledIdentity(topology().orgs.find((o) => o.mspId === OP)!, 'auctioneer'),
        },
      },
    });
    try {
      const auctioneer = new MarketClient(opGateway.getNetwork(CHANNEL).getContract('market'), OP);
      roundId = `${run}-open`;
      const closesAt = instant(Math.ceil((Date.now() + 10 * MINUTE) / 1000) * 1000);
      await whileUnavailable(() =>
        auctioneer.openRound({ id: roundId, slot: instant(Date.now() + 60 * MINUTE), closesAt }),
      );
    } finally {
      opGateway.close();
    }
    api = await startApi({
      config: loadConfig(
        {},
        { port: 0, logLevel: 'warn', tenants: tenantsWith(registered.tenant), batch: { maxWaitMs: 20 } },
      ),
    });
  }, 15 * MINUTE);

  afterAll(async () => {
    await api?.close();
    gateway?.close();
  });

  test(
    'alice’s bids are signed by alice’s certificate, the org token’s by the org’s bidder',
    async () => {
      expect(samePem(aliceCert, bidderCert)).toBe(false);
      const from = await height();
      const byAlice = await post(TOKENS.alice, { bids: bids() });
      expect(byAlice.status).toBe(201);
      const aliceReceipt = (await byAlice.json()) as { batchId: string; utility: string };
      expect(aliceReceipt.utility).toBe(U1);
      const byOrg = await post(TOKENS.u1, { bids: bids() });
      expect(byOrg.status).toBe(201);
      const orgReceipt = (await byOrg.json()) as { batchId: string };

      const aliceTxs = await envelopesNaming(from, aliceReceipt.batchId);
      expect(aliceTxs).toHaveLength(1);
      expect(aliceTxs[0]!.mspId).toBe(U1);
      expect(samePem(aliceTxs[0]!.certPem, aliceCert)).toBe(true);
      const orgTxs = await envelopesNaming(from, orgReceipt.batchId);
      expect(orgTxs).toHaveLength(1);
      expect(samePem(orgTxs[0]!.certPem, bidderCert)).toBe(true);
      log(`[api-identities] ${aliceTxs[0]!.txId} by ${alice}, ${orgTxs[0]!.txId} by bidder`);
    },
    3 * MINUTE,
  );

  test(
    'revoking alice refuses her token only: the org token still bids and the API stays ready',
    async () => {
      revokeIdentity({ org: 'Utility1', name: alice });
      let refused: Response | undefined;
      const started = Date.now();
      for (let i = 0; i < 40 && refused === undefined; i++) {
        const r = await post(TOKENS.alice, { bids: bids() });
        if (r.status === 201) await new Promise((res) => setTimeout(res, 250));
        else refused = r;
      }
      expect(refused).toBeDefined();
      const problem = (await refused!.json()) as { code?: string; detail?: string };
      log(
        `[api-identities] revoked token refused after ${Date.now() - started} ms: ${refused!.status} ${JSON.stringify(problem)}`,
      );
      expect(refused!.status).toBe(403);
      expect(problem.code).toBe('IDENTITY_REFUSED');
      const byOrg = await post(TOKENS.u1, { bids: bids() });
      expect(byOrg.status).toBe(201);
      const ready = await fetch(`${api!.url}/readyz`);
      expect(ready.status).toBe(200);
    },
    3 * MINUTE,
  );

  test('a tenant naming an identity its org never enrolled stops the API at start (E_IDENTITY)', async () => {
    const ghost = `ghost-${randomBytes(3).toString('hex')}`;
    const config = loadConfig(
      {},
      {
        port: 0,
        logLevel: 'warn',
        tenants: { [`tok-${ghost}`]: { mspId: U1, role: 'utility', name: ghost, identity: ghost } },
      },
    );
    await expect(startApi({ config })).rejects.toThrow(
      new RegExp(`E_IDENTITY: ${ghost} is not an identity enrolled for ${U1}.*identity:register`),
    );
  });
});
