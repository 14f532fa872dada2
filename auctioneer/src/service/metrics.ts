import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The auctioneer's Prometheus metrics, in a registry of its own (several instances may coexist). */
export class AuctioneerMetrics {
  readonly registry = new Registry();
  readonly roundsOpened = new Counter({
    name: 'auctioneer_rounds_opened_total',
    help: 'Rounds this service opened',
    registers: [this.registry],
  });
  readonly roundsClosed = new Counter({
    name: 'auctioneer_rounds_closed_total',
    help: 'Rounds this service closed',
    registers: [this.registry],
  });
  readonly roundsCleared = new Counter({
    name: 'auctioneer_rounds_cleared_total',
    help: 'Rounds whose clearing this service committed (first commit, not repeats)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly clearingDuration = new Histogram({
    name: 'auctioneer_clearing_duration_seconds',
    help: 'From the start of clearing a closed round (read, verify, clear) to its commit',
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly roundsSettled = new Counter({
    name: 'auctioneer_rounds_settled_total',
    help:
      'Rounds this service settled: how=committed (its commit returned) or confirmed (ALREADY_SETTLED ' +
      'with its own digest: a commit whose answer was lost)',
    labelNames: ['how'] as const,
    registers: [this.registry],
  });
  readonly settlementDuration = new Histogram({
    name: 'auctioneer_settlement_duration_seconds',
    help: 'From the start of settling a cleared round past its gate (read, compute) to its commit',
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly settlementsRefused = new Gauge({
    name: 'auctioneer_settlements_refused',
    help: 'Cleared rounds this process gave up settling (a mismatch or bad data: not retried until restart)',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'auctioneer_errors_total',
    help: 'Failed operations by operation and error code',
    labelNames: ['op', 'code'] as const,
    registers: [this.registry],
  });
  readonly lastErrorTime = new Gauge({
    name: 'auctioneer_last_error_timestamp_seconds',
    help: 'Unix time of the last failed operation (0 = none)',
    registers: [this.registry],
  });
  readonly lastError = new Gauge({
    name: 'auctioneer_last_error_info',
    help: 'The last failed operation (value 1; labels name it)',
    labelNames: ['op', 'code', 'round'] as const,
    registers: [this.registry],
  });

  constructor(defaultMetrics = false) {
    this.lastErrorTime.set(0);
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'auctioneer_' });
  }

  recordError(op: string, code: string, roundId = ''): void {
    this.errors.inc({ op, code });
    this.lastErrorTime.set(Date.now() / 1000);
    this.lastError.reset();
    this.lastError.set({ op, code, round: roundId }, 1);
  }
}
