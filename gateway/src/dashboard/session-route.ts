import type { ApiInstance } from '../api/instance';
import { tenantOf } from '../api/plugins/auth';

export const sessionRoute = {
  summary: "Who the bearer token is: its MSP id and role (the dashboard's sign-in check)",
  tags: ['dashboard'],
};

/** GET /v1/session: the tenant of the request's token, nothing else (401 without a known one). */
export function registerSessionRoute(app: ApiInstance): void {
  app.get('/v1/session', { schema: sessionRoute }, (req) => {
    const t = tenantOf(req);
    return Promise.resolve({ mspId: t.mspId, role: t.role });
  });
}
