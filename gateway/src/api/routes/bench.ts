import type { ApiInstance } from '../instance';
import { tenantOf } from '../plugins/auth';
import { hiddenRoute } from '../schemas';

/** Path of the benchmark's empty route (registered only with AppOptions.benchRoute). */
export const BENCH_NOOP_PATH = '/v1/bench/noop';

/**
 * `POST /v1/bench/noop`: the floor of a bid request's cost for `npm run bench:e2e`. It passes
 * through everything a bid request does before its handler (HTTP parsing, authentication, the
 * rate limit, the JSON parser with its duplicate-key check, the metrics and log hooks) and answers
 * 204 for a utility, without a body schema, a ledger read or a batch. Not in the OpenAPI
 * description and never registered by loadConfig's settings: only a caller of buildApp/startApi
 * that passes `benchRoute: true` (the bench) has it.
 */
export function registerBenchRoute(app: ApiInstance): void {
  app.post(BENCH_NOOP_PATH, { schema: hiddenRoute }, async (req, reply) => {
    tenantOf(req, 'utility');
    return reply.code(204).send();
  });
}
