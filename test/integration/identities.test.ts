/**
 * Roles on the real network (issue #13, DESIGN invariants 2-3): every client identity comes from
 * its org's Fabric CA with a `market.role` in its certificate, and the chaincode checks the role
 * as well as the MSP. Each refusal below is by a certificate the channel's MSP accepts (the org's
 * own CA issued it), so only the role check stands between it and the ledger.
 */
import { randomBytes } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { connectGatewayWith, readConnectionProfile } from '../../fabric-client/src/connect';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { failure } from './client-failure';
import { topology } from '../../network/config/topology';
import { up } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import { registerIdentity, revokeIdentity } from '../../network/src/identity';
import { U1_BIDS } from '../fixtures/vector-a-split';
import { whileUnavailable } from './round-helpers';

const MINUTE = 60_000;
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const run = `ids-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
const paths = new RunPaths();
const t = topology();
const orgOf = (msp: string) => t.orgs.find((o) => o.mspId === msp)!;

/** The market.role written into a certificate by Fabric CA (attribute extension 1.2.3.4.5.6.7.8.1). */
function roleInCertificate(certPath: string): string | undefined {
  const der = new X509Certificate(fs.readFileSync(certPath)).raw.toString('latin1');
  return /"market\.role":"([a-z]+)"/.exec(der)?.[1];
}

describe('identities from Fabric CA, roles checked by the chaincode', () => {
  const gateways: Gateway[] = [];

  /** A client of `msp` acting as the given identity files. */
  async function clientAs(msp: string, id: { certPath: string; keyPath: string }): Promise<MarketClient> {
    const profile = readConnectionProfile(msp);
    const g = await connectGatewayWith({
      ...profile,
      identities: { ...profile.identities, user: { name: 'x', ...id } },
    });
    gateways.push(g);
    return new MarketClient(g.getNetwork('energy').getContract('market'), msp);
  }
  const enrolled = (msp: string, name: string) => clientAs(msp, paths.enrolledIdentity(orgOf(msp), name));

  let auctioneer: MarketClient;
  let roundId: string;

  beforeAll(async () => {
    await up({ log });
    auctioneer = await enrolled(OP, 'auctioneer');
    roundId = `${run}-open`;
    const closesAt = instant(Math.ceil((Date.now() + 10 * MINUTE) / 1000) * 1000);
    await whileUnavailable(() =>
      auctioneer.openRound({ id: roundId, slot: instant(Date.now() + 60 * MINUTE), closesAt }),
    );
  }, 15 * MINUTE);

  afterAll(() => {
    for (const g of gateways) g.close();
  });

  test('each application identity carries its role in the certificate, issued by its org CA', () => {
    for (const [msp, name, role] of [
      [OP, 'auctioneer', 'auctioneer'],
      [OP, 'auditor', 'auditor'],
      [U1, 'bidder', 'bidder'],
      [U1, 'auditor', 'auditor'],
    ] as const) {
      const org = orgOf(msp);
      const cert = new X509Certificate(fs.readFileSync(paths.enrolledIdentity(org, name).certPath));
      expect(roleInCertificate(paths.enrolledIdentity(org, name).certPath)).toBe(role);
      expect(cert.issuer).toContain(`CN=ca.${org.domain}`);
      expect(cert.subject).toContain('OU=client');
    }
  });

  test(
    'a bidder cannot close or commit; the operator’s auditor and operator cannot either',
    async () => {
      const digest = '0'.repeat(64);
      const bidder = await enrolled(U1, 'bidder');
      expect((await failure(bidder.commitClearing(roundId, digest))).code).toBe('FORBIDDEN');
      for (const name of ['auditor', 'operator']) {
        const c = await enrolled(OP, name);
        const commit = await failure(c.commitClearing(roundId, digest));
        expect(commit.code).toBe('FORBIDDEN');
        expect(commit.message).toContain('auctioneer');
        expect((await failure(c.closeRound(roundId))).code).toBe('FORBIDDEN');
      }
      expect((await auctioneer.getRound(roundId)).status).toBe('OPEN');
    },
    3 * MINUTE,
  );

  test(
    'an auditor cannot bid and reads public data only; a certificate without a role cannot bid',
    async () => {
      const auditor = await enrolled(U1, 'auditor');
      const bid = await failure(auditor.submitBids(roundId, U1_BIDS));
      expect(bid.code).toBe('FORBIDDEN');
      expect(bid.message).toContain('bidder');
      expect((await failure(auditor.getBatches(roundId))).code).toBe('FORBIDDEN');
      expect((await auditor.getRound(roundId)).status).toBe('OPEN');
      // cryptogen's User1: a valid Utility1MSP client certificate, but no market.role
      const noRole = await clientAs(U1, paths.userIdentity(orgOf(U1), 'User1'));
      expect((await failure(noRole.submitBids(roundId, U1_BIDS))).code).toBe('FORBIDDEN');
      const opAuditor = await enrolled(OP, 'auditor');
      expect((await failure(opAuditor.getBatches(roundId, U1))).code).toBe('FORBIDDEN');
      expect(await auctioneer.getCommitments(roundId)).toEqual([]);
    },
    3 * MINUTE,
  );

  test(
    'identity:register adds a bidder who bids at once; a utility cannot be given the auctioneer role',
    async () => {
      const name = `bidder-${randomBytes(3).toString('hex')}`;
      const id = registerIdentity({ org: 'Utility1', role: 'bidder', name });
      expect(id.certPath.startsWith(paths.orgDir(orgOf(U1)))).toBe(true);
      expect(roleInCertificate(id.certPath)).toBe('bidder');
      const alice = await clientAs(U1, id);
      const commitment = await alice.submitBids(roundId, U1_BIDS);
      expect(commitment.utility).toBe(U1);
      // read on Utility1's peer, where the commit was awaited (the operator's may be a block behind)
      expect((await alice.getCommitments(roundId)).map((c) => c.batchId)).toContain(commitment.batchId);
      expect(() => registerIdentity({ org: 'Utility1', role: 'auctioneer', name: `${name}-x` })).toThrow(
        /E_ROLE/,
      );
      expect(() => registerIdentity({ org: 'Utility1', role: 'bidder', name })).toThrow(/E_REGISTERED/);
    },
    3 * MINUTE,
  );

  test(
    'a revoked identity is refused by the peers (its org CA’s CRL in the channel MSP); others still bid',
    async () => {
      const name = `revoked-${randomBytes(3).toString('hex')}`;
      const carol = await clientAs(U1, registerIdentity({ org: 'Utility1', role: 'bidder', name }));
      await carol.getRound(roundId); // accepted before the revocation
      revokeIdentity({ org: 'Utility1', name });
      // The config block reaches each peer within a block's time; wait for both endorsers.
      let refused: unknown;
      for (let i = 0; i < 40 && refused === undefined; i++) {
        refused = await carol.getRound(roundId).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (refused === undefined) await new Promise((r) => setTimeout(r, 250));
      }
      expect(refused).toBeInstanceOf(MarketClientError);
      expect((refused as MarketClientError).code).toBe('IDENTITY_REFUSED');
      log(`[identities] revoked identity refused: ${(refused as Error).message}`);
      const before = (await auctioneer.getCommitments(roundId)).length;
      await failure(carol.submitBids(roundId, U1_BIDS));
      const bidder = await enrolled(U1, 'bidder');
      await bidder.submitBids(roundId, U1_BIDS);
      // one more commitment (the bidder's), none of the revoked identity
      await new Promise((r) => setTimeout(r, 500));
      expect((await bidder.getCommitments(roundId)).length).toBe(before + 1);
    },
    3 * MINUTE,
  );
});
