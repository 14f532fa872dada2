import type { ConnectionProfile } from '../../../fabric-client/src/connect';
import { benchmarkConfig } from '../../../bench/caliper/src/bench-config';
import { caliperNetworkFiles } from '../../../bench/caliper/src/network-config';
import { bidPlan, workerShare } from '../../../bench/caliper/src/plan';
import {
  marketRequest,
  resultJson,
  workloadArgs,
  type WorkloadArgs,
} from '../../../bench/caliper/src/workload-args';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function profile(mspId: string, port: number, host: string): ConnectionProfile {
  const id = (name: string) => ({
    name,
    certPath: `/run/${mspId}/${name}-cert.pem`,
    keyPath: `/run/${mspId}/${name}-key`,
  });
  return {
    mspId,
    channel: 'energy',
    chaincode: 'market',
    peer: {
      endpoint: `127.0.0.1:${port}`,
      hostAlias: host,
      tlsCACertPath: `/run/${mspId}/ca.pem`,
      tlsCACertPem: PEM,
    },
    identities: { user: id('User1'), admin: id('Admin') },
  };
}

const PROFILES = [
  profile('Utility1MSP', 7210, 'peer0.utility1.energy.local'),
  profile('OperatorMSP', 7200, 'peer0.operator.energy.local'),
];

const ARGS: WorkloadArgs = {
  roundId: 'caliper-1',
  slot: '2026-12-03T12:15:00Z',
  closesAt: '2026-12-03T12:00:00Z',
  channel: 'energy',
  chaincode: 'market',
  operatorMsp: 'OperatorMSP',
  buyerMsp: 'Utility1MSP',
  sellerMsp: 'Utility2MSP',
  identities: { OperatorMSP: 'User1', Utility1MSP: 'User1', Utility2MSP: 'User1' },
  buyers: 5,
  sellers: 3,
  seed: 7,
  bidsPerTx: 2,
};

describe('Caliper network config from the connection material', () => {
  it('has one organization per peer org with its user identity and a one-peer grpcs profile', () => {
    const files = caliperNetworkFiles(PROFILES, '/out/');
    expect(files.network.version).toBe('2.0.0');
    expect(files.network.caliper.blockchain).toBe('fabric');
    expect(files.network.channels).toEqual([{ channelName: 'energy', contracts: [{ id: 'market' }] }]);
    expect(files.network.organizations.map((o) => o.mspid)).toEqual(['OperatorMSP', 'Utility1MSP']);
    const u1 = files.network.organizations[1]!;
    expect(u1.identities.certificates).toEqual([
      {
        name: 'User1',
        clientPrivateKey: { path: '/run/Utility1MSP/User1-key' },
        clientSignedCert: { path: '/run/Utility1MSP/User1-cert.pem' },
      },
    ]);
    expect(u1.connectionProfile).toEqual({ path: '/out/Utility1MSP.connection.json', discover: true });
    const p = files.profiles.find((f) => f.mspId === 'Utility1MSP')!;
    expect(p.file).toBe('/out/Utility1MSP.connection.json');
    expect(p.profile.organizations).toEqual({
      Utility1MSP: { mspid: 'Utility1MSP', peers: ['peer0.utility1.energy.local'] },
    });
    expect(p.profile.peers['peer0.utility1.energy.local']).toEqual({
      url: 'grpcs://127.0.0.1:7210',
      tlsCACerts: { pem: PEM },
      grpcOptions: {
        'ssl-target-name-override': 'peer0.utility1.energy.local',
        hostnameOverride: 'peer0.utility1.energy.local',
      },
    });
  });

  it('refuses no profiles, mixed channels and a repeated MSP id', () => {
    expect(() => caliperNetworkFiles([], '/out')).toThrow(/network:up/);
    const other = { ...profile('Utility2MSP', 7220, 'p2'), channel: 'other' };
    expect(() => caliperNetworkFiles([...PROFILES, other], '/out')).toThrow(/different channels/);
    expect(() => caliperNetworkFiles([PROFILES[0]!, PROFILES[0]!], '/out')).toThrow(/appears twice/);
  });
});

describe('Caliper bid plan and benchmark config', () => {
  it('interleaves buy and sell batches, each utility submitting its own side, every bid once', () => {
    const plan = bidPlan(ARGS);
    expect(plan.txs.map((t) => `${t.mspId}:${t.bids.length}:${t.bids[0]!.side}`)).toEqual([
      'Utility1MSP:2:buy',
      'Utility2MSP:2:sell',
      'Utility1MSP:2:buy',
      'Utility2MSP:1:sell',
      'Utility1MSP:1:buy',
    ]);
    expect(bidPlan(ARGS)).toEqual(plan); // same seed, same bids in every worker
    const shares = [0, 1].map((w) => workerShare(plan.txs, w, 2));
    expect(shares.map((s) => s.length)).toEqual([3, 2]);
    expect([...shares[0]!, ...shares[1]!].flatMap((t) => t.bids).length).toBe(8);
    expect(() => bidPlan({ ...ARGS, bidsPerTx: 0 })).toThrow(/bidsPerTx/);
  });

  it('runs open, submit, close, clear with one request per worker around the submit round', () => {
    const c = benchmarkConfig({ args: ARGS, workers: 5, inFlight: 32, submitTxs: 5, workloadDir: '/w' });
    expect(c.test.workers.number).toBe(5);
    expect(c.test.rounds.map((r) => [r.label, r.txNumber, r.rateControl.opts.transactionLoad])).toEqual([
      ['open', 5, 5],
      ['submit', 5, 32],
      ['close', 5, 5],
      ['clear', 5, 5],
    ]);
    expect(c.test.rounds[1]!.workload.module).toBe('/w/submit-bids.js');
    expect(c.test.rounds[1]!.workload.arguments).toBe(ARGS);
    expect(() =>
      benchmarkConfig({ args: ARGS, workers: 2, inFlight: 1, submitTxs: 5, workloadDir: '/w' }),
    ).toThrow(/do not divide among 2 workers/);
    expect(() =>
      benchmarkConfig({ args: ARGS, workers: 0, inFlight: 1, submitTxs: 5, workloadDir: '/w' }),
    ).toThrow(/workers must be/);
  });

  it('builds SubmitBids requests as the project client does and checks the workload arguments', () => {
    const r = marketRequest(ARGS, 'Utility1MSP', 'SubmitBids', ['caliper-1'], {
      targetOrganizations: ['Utility1MSP', 'OperatorMSP'],
    });
    expect(r).toEqual({
      contractId: 'market',
      channel: 'energy',
      contractFunction: 'SubmitBids',
      contractArguments: ['caliper-1'],
      invokerMspId: 'Utility1MSP',
      invokerIdentity: 'User1',
      targetOrganizations: ['Utility1MSP', 'OperatorMSP'],
    });
    expect(() => marketRequest(ARGS, 'NoMSP', 'GetRound', [])).toThrow(/no Caliper identity for NoMSP/);
    expect(workloadArgs(JSON.parse(JSON.stringify(ARGS)))).toEqual(ARGS);
    expect(() => workloadArgs({ ...ARGS, seed: 'x' })).toThrow(/seed/);
    const ok = { GetID: () => 't1', GetStatus: () => 'success', IsCommitted: () => true };
    expect(resultJson({ ...ok, GetResult: () => new TextEncoder().encode('{"a":1}') }, 'GetRound')).toEqual({
      a: 1,
    });
    expect(() => resultJson({ ...ok, GetStatus: () => 'failed', GetResult: () => '' }, 'GetRound')).toThrow(
      /GetRound failed \(transaction t1\)/,
    );
  });
});
