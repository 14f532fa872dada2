/**
 * Renders a Vega-Lite chart to SVG headless: Vega-Lite compiles it to Vega, and a Vega View with
 * renderer 'none' writes the SVG (no browser, no canvas). vega 5 / vega-lite 5 are pinned because
 * v6 are ES modules with top-level await (this project compiles to CommonJS, and jest runs
 * CommonJS) and vega-lite 6 wants Node >= 22 (the project supports Node 20).
 *
 * PNG is not written: Vega renders PNG only through node-canvas, a native build.
 */
import { extname } from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { InvalidArgumentError } from 'commander';
import { writeOutput } from '../output';

export type { TopLevelSpec } from 'vega-lite';

/** The chart as an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** --plot: a .svg path (or "-"), checked while the command line is parsed (exit 2). */
export function parsePlotPath(path: string): string {
  const ext = extname(path).toLowerCase();
  if (path === '-' || ext === '.svg') return path;
  const why =
    ext === '.png' ? 'PNG needs node-canvas, a native build this tool does not use' : 'plots are SVG';
  throw new InvalidArgumentError(`${why}; name the file .svg.`);
}

/** Writes the chart as SVG to `path` (a .svg file, or "-" for stdout). */
export async function writePlot(path: string, spec: TopLevelSpec): Promise<void> {
  await writeOutput(path, [await renderSvg(spec)]);
}
