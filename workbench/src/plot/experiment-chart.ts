/** `experiment --plot`: box plots of efficiency and social welfare across rounds, per setting and mechanism. */
import type { Setting } from '../experiment/config';
import type { RoundRow } from '../experiment/task';
import type { TopLevelSpec } from './render';

/** A chart of a vconcat. */
type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

function boxplot(title: string, field: string, yTitle: string, grouped: boolean): Panel {
  const x = grouped
    ? ({ field: 'setting', type: 'nominal', title: 'setting', sort: null } as const)
    : ({ field: 'mechanism', type: 'nominal', title: 'mechanism', sort: null } as const);
  return {
    title,
    width: grouped ? 640 : 360,
    height: 220,
    mark: { type: 'boxplot', extent: 1.5 },
    encoding: {
      x,
      ...(grouped ? { xOffset: { field: 'mechanism', type: 'nominal', sort: null } } : {}),
      y: { field, type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'mechanism', type: 'nominal', title: 'mechanism', sort: null },
    },
  };
}

/** One box per setting and mechanism (one per mechanism when nothing varies). */
export function experimentChart(rows: readonly RoundRow[], settings: readonly Setting[]): TopLevelSpec {
  const values = rows.map((r) => ({
    setting: settings[r.setting]?.label ?? String(r.setting),
    mechanism: r.mechanism,
    // undefined (null, left out of the box) where no trade could create welfare, e.g. at night
    efficiency: Number(r.maxSocialWelfare) > 0 ? Number(r.efficiency) : null,
    welfare: Number(r.socialWelfare),
  }));
  const grouped = settings.length > 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    vconcat: [
      boxplot('Efficiency across rounds', 'efficiency', 'efficiency', grouped),
      boxplot('Social welfare across rounds', 'welfare', 'social welfare (currency)', grouped),
    ],
  };
}
