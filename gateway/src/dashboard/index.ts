import type { ApiInstance } from '../api/instance';
import type { RouteContext } from '../api/routes/context';
import { registerCurvesRoute } from './curves-route';
import { registerEventsRoute, type MarketEvents } from './events';
import { registerSessionRoute } from './session-route';
import { registerDashboardFiles } from './static';
import { registerSystemRoute, type SystemTargets } from './system';

export interface DashboardOptions {
  /** the built page (default: dist/dashboard next to the compiled gateway) */
  dir?: string;
  /** how often the live round events read the rounds without chaincode events (ms, default 2000) */
  pollMs?: number;
  /** each org's chaincode events (by MSP id): the live round events read on them */
  events?: ReadonlyMap<string, MarketEvents>;
  /** what GET /v1/system probes (none: it answers `configured: false`) */
  system?: SystemTargets;
}

/** The web dashboard: its page at /dashboard/ and the session check, the aggregated data it charts and the live round events under /v1. */
export function registerDashboard(app: ApiInstance, ctx: RouteContext, opts: DashboardOptions = {}): void {
  registerSessionRoute(app);
  registerCurvesRoute(app, ctx);
  registerEventsRoute(app, ctx, {
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
    ...(opts.events ? { events: opts.events } : {}),
  });
  registerSystemRoute(app, opts.system);
  registerDashboardFiles(app, opts.dir);
}
