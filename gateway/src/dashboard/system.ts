import * as http from 'node:http';
import * as net from 'node:net';
import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../api/instance';
import { tenantOf } from '../api/plugins/auth';

/** What the system panel probes, given by whoever starts the API with the network (launcher, tests). */
export interface SystemTargets {
  channel: string;
  /** Fabric nodes by their operations port (HTTP /healthz and /metrics on 127.0.0.1) */
  nodes: { name: string; kind: 'peer' | 'orderer'; mspId: string; operationsPort: number }[];
  /** chaincode-as-a-service servers (TCP port open = up) */
  chaincodeServers: { name: string; mspId: string; port: number }[];
  /** the auctioneer's health server (its /readyz and /metrics), e.g. http://127.0.0.1:9464 */
  auctioneerUrl?: string;
  /** the auctioneer's schedule as configured (mode, slot minutes, gate closure, ...) */
  schedule?: Record<string, unknown>;
}

const PROBE_MS = 1500;
const HOST = '127.0.0.1';

/** GET http://127.0.0.1:port/path: status and body, or the reason it failed (within PROBE_MS). */
function get(port: number, path: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path, timeout: PROBE_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${PROBE_MS} ms`)));
    req.on('error', (e) => resolve({ error: `${HOST}:${port}${path}: ${e.message}` }));
  });
}

/** Prometheus text format: `name{labels} value` lines to a map from `name{labels}` to the value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** The labels of the first series named `name` with a non-zero value. */
function labelsOf(m: Map<string, number>, name: string): Record<string, string> | null {
  for (const [k, v] of m) {
    if (!k.startsWith(`${name}{`) || v === 0) continue;
    return Object.fromEntries([...k.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] ?? '', x[2] ?? '']));
  }
  return null;
}

export interface NodeStatus {
  name: string;
  kind: string;
  mspId: string;
  status: 'up' | 'down';
  /** blocks on the channel (peer: ledger height; orderer: last committed block + 1); null if unknown */
  height: number | null;
  detail: string;
}

/** A node's /healthz and its channel height from /metrics. */
async function probeNode(t: SystemTargets['nodes'][number], channel: string): Promise<NodeStatus> {
  const [health, metrics] = await Promise.all([
    get(t.operationsPort, '/healthz'),
    get(t.operationsPort, '/metrics'),
  ]);
  const m = 'body' in metrics ? parseMetrics(metrics.body) : new Map<string, number>();
  const label = `{channel="${channel}"}`;
  const committed = m.get(`consensus_etcdraft_committed_block_number${label}`);
  const height =
    t.kind === 'peer'
      ? (m.get(`ledger_blockchain_height${label}`) ?? null)
      : committed === undefined
        ? null
        : committed + 1;
  const up = 'status' in health && health.status === 200;
  const leader = m.get(`consensus_etcdraft_is_leader${label}`) === 1 ? 'Raft leader' : '';
  const detail =
    'error' in health ? health.error : up ? leader : `healthz ${health.status}: ${health.body.slice(0, 200)}`;
  return { name: t.name, kind: t.kind, mspId: t.mspId, status: up ? 'up' : 'down', height, detail };
}

/** Whether a TCP connection to the port opens within PROBE_MS. */
function portOpen(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port, timeout: PROBE_MS });
    const done = (why: string | null): void => {
      s.destroy();
      resolve(why);
    };
    s.on('connect', () => done(null));
    s.on('timeout', () => done(`no connection in ${PROBE_MS} ms`));
    s.on('error', (e) => done(e.message));
  });
}

/** The auctioneer's readiness, its last error and its round counters, from its health server. */
async function probeAuctioneer(url: string): Promise<Record<string, unknown>> {
  const port = Number(new URL(url).port);
  const [ready, metrics] = await Promise.all([get(port, '/readyz'), get(port, '/metrics')]);
  if ('error' in ready)
    return { url, state: 'unreachable', detail: ready.error, checks: {}, lastError: null };
  const m = 'body' in metrics ? parseMetrics(metrics.body) : new Map<string, number>();
  const at = m.get('auctioneer_last_error_timestamp_seconds') ?? 0;
  const body = JSON.parse(ready.body) as { status?: string; checks?: Record<string, boolean> };
  return {
    url,
    state: body.status ?? `HTTP ${ready.status}`,
    checks: body.checks ?? {},
    lastError:
      at > 0 ? { ...labelsOf(m, 'auctioneer_last_error_info'), at: new Date(at * 1000).toISOString() } : null,
    roundsOpened: m.get('auctioneer_rounds_opened_total') ?? 0,
    roundsClosed: m.get('auctioneer_rounds_closed_total') ?? 0,
  };
}

export interface SystemStatus {
  checkedAt: string;
  channel: string;
  nodes: NodeStatus[];
  chaincodeServers: { name: string; mspId: string; port: number; status: string; detail: string }[];
  auctioneer: Record<string, unknown> | null;
  schedule: Record<string, unknown> | null;
}

/** Every probe at once (each within PROBE_MS). */
export async function systemStatus(t: SystemTargets): Promise<SystemStatus> {
  const [nodes, chaincodeServers, auctioneer] = await Promise.all([
    Promise.all(t.nodes.map((n) => probeNode(n, t.channel))),
    Promise.all(
      t.chaincodeServers.map(async (c) => {
        const why = await portOpen(c.port);
        return { ...c, status: why === null ? 'up' : 'down', detail: why ?? '' };
      }),
    ),
    t.auctioneerUrl === undefined ? Promise.resolve(null) : probeAuctioneer(t.auctioneerUrl),
  ]);
  return {
    checkedAt: new Date().toISOString(),
    channel: t.channel,
    nodes,
    chaincodeServers,
    auctioneer,
    schedule: t.schedule ?? null,
  };
}

const Anything = Type.Object({}, { additionalProperties: true });

export const systemRoute = {
  summary:
    "The network's health for the operator: nodes' status and block height, chaincode servers, the auctioneer",
  tags: ['dashboard'],
  response: {
    200: Type.Object({
      configured: Type.Boolean({
        description: 'false when the API was started without the network topology',
      }),
      checkedAt: Type.Optional(Type.String()),
      channel: Type.Optional(Type.String()),
      nodes: Type.Array(
        Type.Object({
          name: Type.String(),
          kind: Type.String(),
          mspId: Type.String(),
          status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
          height: Type.Union([Type.Integer(), Type.Null()]),
          detail: Type.String(),
        }),
      ),
      chaincodeServers: Type.Array(
        Type.Object({
          name: Type.String(),
          mspId: Type.String(),
          port: Type.Integer(),
          status: Type.String(),
          detail: Type.String(),
        }),
      ),
      auctioneer: Type.Union([Anything, Type.Null()]),
      schedule: Type.Union([Anything, Type.Null()]),
    }),
  },
};

/** GET /v1/system: the operator only (403 for a utility); probes with short timeouts on each call. */
export function registerSystemRoute(app: ApiInstance, targets: SystemTargets | undefined): void {
  app.get('/v1/system', { schema: systemRoute }, async (req) => {
    tenantOf(req, 'operator');
    if (!targets)
      return { configured: false, nodes: [], chaincodeServers: [], auctioneer: null, schedule: null };
    return { configured: true, ...(await systemStatus(targets)) };
  });
}
