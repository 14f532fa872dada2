import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one API instance (own registry: several apps can live in one process). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'api_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'api_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
    registers: [this.registry],
  });
  readonly batchBids = new Histogram({
    name: 'api_bid_batch_size_bids',
    help: 'bids per SubmitBids transaction',
    labelNames: ['msp'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
    registers: [this.registry],
  });
  readonly batchRequests = new Histogram({
    name: 'api_bid_batch_size_requests',
    help: 'bid requests per SubmitBids transaction',
    labelNames: ['msp'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly batches = new Counter({
    name: 'api_bid_batches_total',
    help: 'bid batches by org and outcome (committed, conflict, invalid, or the error code)',
    labelNames: ['msp', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly bidsAccepted = new Counter({
    name: 'api_bids_accepted_total',
    help: 'bids committed to the ledger and acknowledged with 201',
    labelNames: ['msp'] as const,
    registers: [this.registry],
  });

  constructor(defaultMetrics = false) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
