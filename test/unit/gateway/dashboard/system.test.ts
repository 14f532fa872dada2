import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../../../gateway/src/api/app';
import { parseMetrics, systemStatus } from '../../../../gateway/src/dashboard/system';
import { fakeClients, FakeLedger, testConfig, TOKENS } from '../fake-market';

/** A fake operations endpoint: /healthz and /metrics with `metrics` as the text. */
async function opsServer(metrics: string, healthy = true): Promise<{ port: number; close: () => void }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') res.writeHead(healthy ? 200 : 503).end(healthy ? '{"status":"OK"}' : 'down');
    else if (req.url === '/metrics') res.writeHead(200).end(metrics);
    else if (req.url === '/readyz') res.writeHead(200).end('{"status":"ready","checks":{"reconciled":true}}');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

describe('GET /v1/system', () => {
  it('parses Prometheus text', () => {
    const m = parseMetrics('# HELP x\nledger_blockchain_height{channel="energy"} 12\nup 1\n');
    expect(m.get('ledger_blockchain_height{channel="energy"}')).toBe(12);
    expect(m.get('up')).toBe(1);
  });

  it("reports each node's status and height, a closed port as down, the auctioneer's last error", async () => {
    const peer = await opsServer('ledger_blockchain_height{channel="energy"} 42\n');
    const orderer = await opsServer(
      'consensus_etcdraft_committed_block_number{channel="energy"} 41\nconsensus_etcdraft_is_leader{channel="energy"} 1\n',
    );
    const sick = await opsServer('', false);
    const auctioneer = await opsServer(
      'auctioneer_last_error_timestamp_seconds 1700000000\nauctioneer_last_error_info{op="clear",code="TIMEOUT",round="r1"} 1\n',
    );
    try {
      const s = await systemStatus({
        channel: 'energy',
        nodes: [
          { name: 'peer0', kind: 'peer', mspId: 'OperatorMSP', operationsPort: peer.port },
          { name: 'orderer1', kind: 'orderer', mspId: 'OrdererMSP', operationsPort: orderer.port },
          { name: 'peer1', kind: 'peer', mspId: 'Utility1MSP', operationsPort: sick.port },
        ],
        chaincodeServers: [{ name: 'cc', mspId: 'OperatorMSP', port: peer.port }],
        auctioneerUrl: `http://127.0.0.1:${auctioneer.port}`,
        schedule: { mode: 'manual' },
      });
      expect(s.nodes.map((n) => [n.name, n.status, n.height])).toEqual([
        ['peer0', 'up', 42],
        ['orderer1', 'up', 42],
        ['peer1', 'down', null],
      ]);
      expect(s.nodes[1]?.detail).toBe('Raft leader');
      expect(s.nodes[2]?.detail).toContain('healthz 503');
      expect(s.chaincodeServers[0]?.status).toBe('up');
      expect(s.auctioneer).toMatchObject({
        state: 'ready',
        lastError: { op: 'clear', code: 'TIMEOUT', round: 'r1', at: '2023-11-14T22:13:20.000Z' },
      });
    } finally {
      for (const x of [peer, orderer, sick, auctioneer]) x.close();
    }
  });

  it('answers the operator only; without targets, configured: false', async () => {
    const { app } = await buildApp({ config: testConfig(), clients: fakeClients(new FakeLedger()) });
    const as = (token: string) =>
      app.inject({ method: 'GET', url: '/v1/system', headers: { authorization: `Bearer ${token}` } });
    expect((await as(TOKENS.u1)).statusCode).toBe(403);
    const op = await as(TOKENS.op);
    expect(op.statusCode).toBe(200);
    expect(op.json()).toMatchObject({ configured: false, nodes: [] });
    await app.close();
  });
});
