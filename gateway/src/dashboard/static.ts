import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Where `npm run build` puts the page: dist/dashboard, seen from dist/gateway/src/dashboard; from
 * the sources (ts-jest), the sources' dashboard/ has no compiled app.js, so the build's copy.
 */
export const DEFAULT_DASHBOARD_DIR = [
  path.resolve(__dirname, '../../../dashboard'),
  path.resolve(__dirname, '../../../dist/dashboard'),
].find((d) => fs.existsSync(path.join(d, 'app.js')));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * Same origin only; no inline script, so a token in sessionStorage is out of reach of injected
 * markup; uPlot sets element styles, hence 'unsafe-inline' for styles only.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Every servable file under `dir` (relative, '/'-separated), by extension; none if `dir` is absent. */
export function listAssets(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (TYPES[path.extname(e.name)]) out.set(r, path.join(dir, r));
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out;
}

/**
 * Serves the built page at /dashboard/ from a fixed list of the files found at start (no path from
 * the URL ever reaches the file system). The files are public; the data comes from /v1 with the
 * tenant's bearer token, as for any other client.
 */
export function registerDashboardFiles(app: FastifyInstance, dir = DEFAULT_DASHBOARD_DIR): void {
  const assets = dir === undefined ? new Map<string, string>() : listAssets(dir);
  const send = (file: string | undefined) => async (_req: unknown, reply: FastifyReply) => {
    if (file === undefined) return reply.code(404).type('text/plain').send('not built: run npm run build');
    const body = await fs.promises.readFile(file);
    return reply
      .headers(SECURITY_HEADERS)
      .header('cache-control', 'no-cache')
      .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
      .send(body);
  };
  app.get('/dashboard', { schema: { hide: true } }, (_req, reply) => reply.redirect('/dashboard/'));
  app.get('/dashboard/', { schema: { hide: true } }, send(assets.get('index.html')));
  for (const [rel, file] of assets) app.get(`/dashboard/${rel}`, { schema: { hide: true } }, send(file));
}
