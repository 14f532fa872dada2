/**
 * `npm run build`'s last step: copies the dashboard's static files (dashboard/index.html, style.css)
 * and the vendored uPlot next to the page's compiled modules in dist/dashboard, which the API
 * serves at /dashboard/ (static.ts). Run from the repository root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const FILES: [from: string, to: string][] = [
  ['dashboard/index.html', 'index.html'],
  ['dashboard/style.css', 'style.css'],
  ['node_modules/uplot/dist/uPlot.iife.min.js', 'vendor/uPlot.iife.min.js'],
  ['node_modules/uplot/dist/uPlot.min.css', 'vendor/uPlot.min.css'],
  ['node_modules/uplot/LICENSE', 'vendor/uPlot.LICENSE.txt'],
];

/** Copies the files from `root` into `out` (dist/dashboard). */
export function copyDashboardAssets(root: string, out: string): void {
  for (const [from, to] of FILES) {
    const dest = path.join(out, to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(root, from), dest);
  }
}

if (require.main === module)
  copyDashboardAssets(process.cwd(), path.join(process.cwd(), 'dist', 'dashboard'));
