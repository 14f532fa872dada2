import type { ApiInstance } from '../api/instance';
import type { RouteContext } from '../api/routes/context';
import { registerCurvesRoute } from './curves-route';
import { registerEventsRoute } from './events';
import { registerSessionRoute } from './session-route';
import { registerDashboardFiles } from './static';

export interface DashboardOptions {
  /** the built page (default: dist/dashboard next to the compiled gateway) */
  dir?: string;
  /** how often the live round events read the rounds (ms, default 2000) */
  pollMs?: number;
}

/** The web dashboard: its page at /dashboard/ and the session check, the aggregated data it charts and the live round events under /v1. */
export function registerDashboard(app: ApiInstance, ctx: RouteContext, opts: DashboardOptions = {}): void {
  registerSessionRoute(app);
  registerCurvesRoute(app, ctx);
  registerEventsRoute(app, ctx, opts.pollMs);
  registerDashboardFiles(app, opts.dir);
}
