/**
 * `clear --plot`: the supply and demand curves of a round (step functions of the sorted bids),
 * the price range of stage 1, the clearing price, and the leader's objective A(p) over the range.
 */
import { leaderObjective } from '../../../engine/src/mechanism/objective';
import type { Bid, RoundParams, WireClearingResult } from '../../../engine/src/mechanism/types';
import { DECIMALS } from '../../../engine/src/mechanism/units';
import type { TopLevelSpec } from './render';

/** One vertex of a curve: cumulative kWh and price per kWh; `i` keeps the drawing order. */
export interface CurvePoint {
  curve: 'supply' | 'demand';
  i: number;
  kWh: number;
  price: number;
}

export interface ClearPlotData {
  curves: CurvePoint[];
  /** the price range and clearing price per kWh (undefined: no range / no trade) */
  range?: { min: number; max: number };
  price?: number;
  /** A(p) in currency over the range */
  objective: { price: number; A: number }[];
  profile: string;
}

/** At most this many steps per curve: larger rounds are drawn with coarser steps. */
const MAX_STEPS = 500;
const OBJECTIVE_SAMPLES = 200;
const PRICE_UNIT = 10 ** DECIMALS.price;
const ENERGY_UNIT = 10 ** DECIMALS.energy;
const MONEY_UNIT = 10 ** DECIMALS.money;

/** (price, Wh) steps: bids of one price merged, then every k-th boundary kept. */
function steps(bids: readonly Bid[], descending: boolean): { price: number; wh: number }[] {
  const sorted = bids
    .map((b) => ({ price: b.price, wh: b.quantity }))
    .sort((a, b) => (descending ? b.price - a.price : a.price - b.price));
  const merged: { price: number; wh: number }[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last?.price === s.price) last.wh += s.wh;
    else merged.push({ ...s });
  }
  const k = Math.ceil(merged.length / MAX_STEPS);
  if (k <= 1) return merged;
  const coarse: { price: number; wh: number }[] = [];
  merged.forEach((s, j) => {
    const last = coarse[coarse.length - 1];
    if (j % k === 0 || last === undefined) coarse.push({ ...s });
    else last.wh += s.wh;
  });
  return coarse;
}

/** The step function as vertices: (0, p1), (q1, p1), (q1, p2), (q1 + q2, p2), ... */
function curve(name: CurvePoint['curve'], bids: readonly Bid[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  let wh = 0;
  for (const s of steps(bids, name === 'demand')) {
    points.push({ curve: name, i: points.length, kWh: wh / ENERGY_UNIT, price: s.price / PRICE_UNIT });
    wh += s.wh;
    points.push({ curve: name, i: points.length, kWh: wh / ENERGY_UNIT, price: s.price / PRICE_UNIT });
  }
  return points;
}

function objectiveSamples(params: RoundParams, bids: readonly Bid[]): ClearPlotData['objective'] {
  const objective = leaderObjective(params, bids);
  if (objective === undefined) return [];
  const { pMin, pMax } = objective;
  const ticks = new Set<number>();
  for (let j = 0; j <= OBJECTIVE_SAMPLES; j++)
    ticks.add(pMin + Math.round(((pMax - pMin) * j) / OBJECTIVE_SAMPLES));
  return [...ticks]
    .sort((a, b) => a - b)
    .map((p) => ({ price: p / PRICE_UNIT, A: objective.at(p) / MONEY_UNIT }));
}

/** The data of the plot: the validated bids and params, and clear()'s result for them. */
export function clearPlotData(
  params: RoundParams,
  bids: readonly Bid[],
  result: WireClearingResult,
): ClearPlotData {
  const range = { min: Number(result.priceRange.min), max: Number(result.priceRange.max) };
  const data: ClearPlotData = {
    curves: [
      ...curve(
        'supply',
        bids.filter((b) => b.side === 'sell'),
      ),
      ...curve(
        'demand',
        bids.filter((b) => b.side === 'buy'),
      ),
    ],
    objective: objectiveSamples(params, bids),
    profile: params.profile,
  };
  if (range.max > 0) data.range = range;
  if (result.status === 'cleared') data.price = Number(result.price);
  return data;
}

/** The chart: supply and demand with the range and price, above A(p) over the range. */
export function clearChart(data: ClearPlotData): TopLevelSpec {
  const bands = data.range === undefined ? [] : [data.range];
  const prices = data.price === undefined ? [] : [{ price: data.price }];
  const top = {
    width: 480,
    height: 280,
    title: 'Supply and demand',
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', opacity: 0.15, color: '#888' },
        encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
      },
      {
        data: { values: data.curves },
        mark: { type: 'line', interpolate: 'linear' },
        encoding: {
          x: { field: 'kWh', type: 'quantitative', title: 'cumulative energy (kWh)' },
          y: { field: 'price', type: 'quantitative', title: 'price per kWh' },
          color: { field: 'curve', type: 'nominal', title: null },
          order: { field: 'i' },
        },
      },
      {
        data: { values: prices },
        mark: { type: 'rule', strokeDash: [6, 3], color: 'black' },
        encoding: { y: { field: 'price', type: 'quantitative' } },
      },
    ],
  };
  const bottom = {
    width: 480,
    height: 160,
    title: `Leader's objective A(p) (${data.profile})`,
    layer: [
      {
        data: { values: data.objective },
        mark: { type: 'line', color: '#54a24b' },
        encoding: {
          x: { field: 'price', type: 'quantitative', title: 'price per kWh', scale: { zero: false } },
          y: { field: 'A', type: 'quantitative', title: 'A(p)' },
        },
      },
      {
        data: { values: prices },
        mark: { type: 'rule', strokeDash: [6, 3], color: 'black' },
        encoding: { x: { field: 'price', type: 'quantitative' } },
      },
    ],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    vconcat: [top, bottom],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
