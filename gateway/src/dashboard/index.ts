import type { ApiInstance } from '../api/instance';
import type { RouteContext } from '../api/routes/context';
import { registerCurvesRoute } from './curves-route';
import { registerSessionRoute } from './session-route';
import { registerDashboardFiles } from './static';

export interface DashboardOptions {
  /** the built page (default: dist/dashboard next to the compiled gateway) */
  dir?: string;
}

/** The web dashboard: its page at /dashboard/ and the session check and the aggregated data it charts under /v1. */
export function registerDashboard(app: ApiInstance, ctx: RouteContext, opts: DashboardOptions = {}): void {
  registerSessionRoute(app);
  registerCurvesRoute(app, ctx);
  registerDashboardFiles(app, opts.dir);
}
