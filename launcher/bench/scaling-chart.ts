/**
 * The scaling figures of `bench:all` as files: a CSV (one row per round size) and a log-log
 * Vega-Lite chart of close → committed and peak RSS against bids (rendered to SVG by the
 * workbench's renderer).
 */
import type { TopLevelSpec } from '../../workbench/src/plot/render';

export type ScalingPoint = Record<string, number | string>;

/** CSV with the columns of the first row, in that order. */
export function scalingCsv(points: readonly ScalingPoint[]): string {
  const columns = Object.keys(points[0] ?? {});
  const lines = points.map((p) => columns.map((c) => String(p[c] ?? '')).join(','));
  return [columns.join(','), ...lines].join('\n') + '\n';
}

const TIMES = [
  { field: 'closeToCommittedMs', title: 'close → committed' },
  { field: 'commitMs', title: 'of which commit (CommitClearing)' },
] as const;

const MEMORY = [
  { field: 'peakRssChaincodeMb', title: 'chaincode server' },
  { field: 'peakRssPeerMb', title: 'operator peer' },
  { field: 'peakRssAuctioneerMb', title: 'auctioneer + clients' },
] as const;

type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

/** One log-log panel: a line per measure against bids. */
function panel(
  points: readonly ScalingPoint[],
  measures: readonly { field: string; title: string }[],
  title: string,
  yTitle: string,
): Panel {
  const values = points.flatMap((p) =>
    measures.map((m) => ({ bids: Number(p.bids), measure: m.title, value: Number(p[m.field]) })),
  );
  return {
    title,
    width: 480,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'bids', type: 'quantitative', scale: { type: 'log' }, title: 'bids in the round' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: yTitle },
      color: { field: 'measure', type: 'nominal', title: null, sort: null, legend: { labelLimit: 320 } },
    },
  };
}

/** Close → committed and peak RSS per round size, both axes logarithmic, in two panels. */
export function scalingChart(points: readonly ScalingPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    resolve: { scale: { color: 'independent' } },
    vconcat: [
      panel(points, TIMES, 'A round through the network: close → verified clearing committed', 'ms'),
      panel(points, MEMORY, 'Peak resident memory during the round', 'MB'),
    ],
  };
}
