import { api } from './api.js';
import { el, fill, table } from './dom.js';

interface SystemAnswer {
  configured: boolean;
  checkedAt?: string;
  nodes: {
    name: string;
    kind: string;
    mspId: string;
    status: string;
    height: number | null;
    detail: string;
  }[];
  chaincodeServers: { name: string; mspId: string; port: number; status: string; detail: string }[];
  auctioneer: Record<string, unknown> | null;
  schedule: Record<string, unknown> | null;
}

const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number'
    ? String(v)
    : v === null || v === undefined
      ? '—'
      : JSON.stringify(v);

const status = (s: string): HTMLElement =>
  el('span', { class: `health ${s === 'up' || s === 'ready' ? 'ok' : 'bad'}` }, s);

/** A key/value table of an object. */
const pairs = (caption: string, o: Record<string, unknown>): HTMLElement =>
  table(
    caption,
    ['', ''],
    Object.entries(o).map(([k, v]) => [k, k === 'state' ? status(text(v)) : text(v)]),
  );

/** The operator's system panel: nodes with block heights, chaincode servers, auctioneer, schedule. */
export async function showSystem(target: HTMLElement): Promise<void> {
  const s = await api<SystemAnswer>('/v1/system');
  if (!s.configured) {
    fill(
      target,
      el('h2', {}, 'System'),
      el('p', {}, 'Not configured: the API was started without the network topology.'),
    );
    return;
  }
  fill(
    target,
    el('h2', {}, `System · ${s.checkedAt ?? ''}`),
    table(
      'Nodes',
      ['node', 'kind', 'org', 'status', 'block height', 'detail'],
      s.nodes.map((n) => [n.name, n.kind, n.mspId, status(n.status), text(n.height), n.detail]),
    ),
    table(
      'Chaincode servers',
      ['server', 'org', 'port', 'status', 'detail'],
      s.chaincodeServers.map((c) => [c.name, c.mspId, String(c.port), status(c.status), c.detail]),
    ),
    s.auctioneer ? pairs('Auctioneer', s.auctioneer) : el('p', {}, 'No auctioneer configured.'),
    s.schedule ? pairs('Schedule', s.schedule) : null,
  );
}
