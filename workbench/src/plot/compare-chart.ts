/** `compare --plot`: buyer, seller and social welfare and the efficiency of each mechanism. */
import type { MechanismResult } from '../../../engine/src/mechanisms';
import type { TopLevelSpec } from './render';

/** What the chart reads of a mechanism's result (a MechanismResult will do). */
export type CompareChartRow = Pick<MechanismResult, 'mechanism'> & {
  metrics: Pick<
    MechanismResult['metrics'],
    'buyerWelfare' | 'sellerWelfare' | 'socialWelfare' | 'efficiency'
  >;
};

/** Grouped bars of the three welfare figures, beside bars of the efficiency, one group per mechanism. */
export function compareChart(rows: readonly CompareChartRow[]): TopLevelSpec {
  const welfare = rows.flatMap((r) => [
    { mechanism: r.mechanism, kind: 'buyer', value: Number(r.metrics.buyerWelfare) },
    { mechanism: r.mechanism, kind: 'seller', value: Number(r.metrics.sellerWelfare) },
    { mechanism: r.mechanism, kind: 'social', value: Number(r.metrics.socialWelfare) },
  ]);
  const efficiency = rows.map((r) => ({ mechanism: r.mechanism, efficiency: Number(r.metrics.efficiency) }));
  const order = rows.map((r) => r.mechanism);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    hconcat: [
      {
        title: 'Welfare per mechanism',
        width: 360,
        height: 240,
        data: { values: welfare },
        mark: 'bar',
        encoding: {
          x: { field: 'mechanism', type: 'nominal', sort: order, title: 'mechanism' },
          xOffset: { field: 'kind', type: 'nominal', sort: ['buyer', 'seller', 'social'] },
          y: { field: 'value', type: 'quantitative', title: 'welfare (currency)' },
          color: { field: 'kind', type: 'nominal', title: 'welfare', sort: ['buyer', 'seller', 'social'] },
        },
      },
      {
        title: 'Efficiency per mechanism',
        width: 240,
        height: 240,
        data: { values: efficiency },
        mark: 'bar',
        encoding: {
          x: { field: 'mechanism', type: 'nominal', sort: order, title: 'mechanism' },
          y: { field: 'efficiency', type: 'quantitative', title: 'efficiency', scale: { domain: [0, 1] } },
        },
      },
    ],
  };
}
