/**
 * An experiment's outputs: rounds.csv (one line per round, setting and mechanism), summary.csv
 * (mean, standard deviation and 95 % confidence interval per setting, mechanism and metric) and
 * the summary table printed on stdout. Numbers are printed with a fixed number of decimals, so the
 * same rows give the same bytes.
 */
import type { MechanismName } from '../../../engine/src/mechanisms';
import type { ExperimentConfig, Setting, Variable } from './config';
import { summarize, type Summary } from './stats';
import type { RoundRow } from './task';

const always = (): boolean => true;
/** Efficiency is undefined (not 0) in a round where no trade could create welfare (e.g. at night). */
const hasWelfare = (r: RoundRow): boolean => Number(r.maxSocialWelfare) > 0;

/**
 * The summarized metrics: column of rounds.csv, how it is read from a row, in which rounds it is
 * defined, decimals printed.
 */
export const METRICS = [
  { name: 'traded_kwh', of: (r: RoundRow) => r.energy, defined: always, decimals: 3 },
  { name: 'social_welfare', of: (r: RoundRow) => r.socialWelfare, defined: always, decimals: 4 },
  { name: 'efficiency', of: (r: RoundRow) => r.efficiency, defined: hasWelfare, decimals: 6 },
  { name: 'operator_balance', of: (r: RoundRow) => r.operatorBalance, defined: always, decimals: 4 },
] as const;
export type MetricName = (typeof METRICS)[number]['name'];

const ROUND_COLUMNS = [
  'round',
  'seed',
  'mechanism',
  'status',
  'price',
  'traded_kwh',
  'buyer_welfare',
  'seller_welfare',
  'social_welfare',
  'max_social_welfare',
  'efficiency',
  'operator_balance',
  'ir_violations',
];

const variables = (config: ExperimentConfig): Variable[] => config.vary.map(([v]) => v);

function settingCells(config: ExperimentConfig, setting: Setting | undefined): string[] {
  return [setting?.label ?? '', ...variables(config).map((v) => setting?.values[v] ?? '')];
}

function roundCells(r: RoundRow): string[] {
  return [
    String(r.round),
    String(r.seed),
    r.mechanism,
    r.status,
    r.price,
    r.energy,
    r.buyerWelfare,
    r.sellerWelfare,
    r.socialWelfare,
    r.maxSocialWelfare,
    r.efficiency,
    r.operatorBalance,
    String(r.irViolations),
  ];
}

/** rounds.csv: setting, the varied values, round, seed, [slot,] mechanism and its metrics. */
export function roundsCsv(
  config: ExperimentConfig,
  settings: readonly Setting[],
  rows: readonly RoundRow[],
): string {
  const day = config.profile === 'day';
  const header = ['setting', ...variables(config), ...ROUND_COLUMNS];
  if (day) header.splice(header.indexOf('mechanism'), 0, 'slot');
  const lines = [header.join(',')];
  for (const r of rows) {
    const cells = [...settingCells(config, settings[r.setting]), ...roundCells(r)];
    if (day) cells.splice(header.indexOf('slot'), 0, r.slot);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

export interface SummaryRow {
  setting: Setting;
  mechanism: MechanismName;
  /** rounds in which the mechanism traded */
  cleared: number;
  metrics: Record<MetricName, Summary>;
}

/** One summary per setting and mechanism (settings in order, mechanisms in the config's order). */
export function summaryRows(
  config: ExperimentConfig,
  settings: readonly Setting[],
  rows: readonly RoundRow[],
): SummaryRow[] {
  return settings.flatMap((setting) =>
    config.mechanisms.map((mechanism) => {
      const mine = rows.filter((r) => r.setting === setting.index && r.mechanism === mechanism);
      const metrics = {} as Record<MetricName, Summary>;
      for (const m of METRICS)
        metrics[m.name] = summarize(mine.filter(m.defined).map((r) => Number(m.of(r))));
      return { setting, mechanism, cleared: mine.filter((r) => r.status === 'cleared').length, metrics };
    }),
  );
}

const fixed = (x: number, decimals: number): string => (Number.isFinite(x) ? x.toFixed(decimals) : '');

/** summary.csv: one line per setting, mechanism and metric. */
export function summaryCsv(config: ExperimentConfig, summary: readonly SummaryRow[]): string {
  const header = [
    'setting',
    ...variables(config),
    'mechanism',
    'metric',
    'n',
    'cleared',
    'mean',
    'sd',
    'ci95_low',
    'ci95_high',
  ];
  const lines = [header.join(',')];
  for (const row of summary) {
    for (const m of METRICS) {
      const s = row.metrics[m.name];
      const numbers = [s.mean, s.sd, s.ciLow, s.ciHigh].map((x) => fixed(x, m.decimals));
      lines.push(
        [
          ...settingCells(config, row.setting),
          row.mechanism,
          m.name,
          String(s.n),
          String(row.cleared),
          ...numbers,
        ].join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** "0.981234 ± 0.004321" (the half-width of the 95 % interval) */
function meanCi(s: Summary, decimals: number): string {
  return `${fixed(s.mean, decimals)} ± ${fixed((s.ciHigh - s.ciLow) / 2, decimals)}`;
}

/** The table on stdout: one line per setting and mechanism, means with their 95 % half-widths. */
export function summaryTable(summary: readonly SummaryRow[]): string {
  const head = [
    'setting',
    'mechanism',
    'cleared',
    'traded kWh',
    'social welfare',
    'efficiency',
    'operator balance',
  ];
  const body = summary.map((r) => [
    r.setting.label,
    r.mechanism,
    `${r.cleared}/${r.metrics.traded_kwh.n}`,
    meanCi(r.metrics.traded_kwh, 3),
    meanCi(r.metrics.social_welfare, 4),
    meanCi(r.metrics.efficiency, 6),
    meanCi(r.metrics.operator_balance, 4),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return (
    [
      line(head),
      ...body.map(line),
      '',
      'mean ± half-width of the 95 % confidence interval (Student t, n − 1); efficiency over the rounds',
      'where some trade creates welfare (its n in summary.csv)',
    ].join('\n') + '\n'
  );
}
