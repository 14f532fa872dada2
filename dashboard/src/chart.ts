import type UPlot from 'uplot';
import type { CurvesAnswer } from './api.js';

/** uPlot, loaded by its own script tag (vendor/uPlot.iife.min.js) before this module. */
const uPlotCtor = (globalThis as unknown as { uPlot: typeof UPlot }).uPlot;

/** Draws the clearing price (a line) and the price range (a band) over the plot. */
function clearingMarks(c: CurvesAnswer): UPlot.Hooks.Arrays['draw'] {
  const clearing = c.clearing;
  if (!clearing || clearing.status !== 'cleared') return [];
  return [
    (u: UPlot): void => {
      const { top, height } = u.bbox;
      const x = (p: string): number => u.valToPos(Number(p), 'x', true);
      const ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(120, 120, 120, 0.15)';
      const lo = x(clearing.priceRange.min);
      ctx.fillRect(lo, top, Math.max(1, x(clearing.priceRange.max) - lo), height);
      ctx.strokeStyle = '#b00020';
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x(clearing.price), top);
      ctx.lineTo(x(clearing.price), top + height);
      ctx.stroke();
      ctx.restore();
    },
  ];
}

/**
 * The supply and demand step curves of a round: x the price, y the kWh offered at or below it
 * (supply) and asked for at or above it (demand); they cross at the clearing price.
 */
export function drawCurves(target: HTMLElement, c: CurvesAnswer, width: number): UPlot {
  const stepped = uPlotCtor.paths.stepped;
  const opts: UPlot.Options = {
    title: `Round ${c.roundId}: supply and demand (${c.bidCount} bids${c.exact ? '' : ', sampled levels'})`,
    width,
    height: Math.round(Math.min(420, width * 0.55)),
    scales: { x: { time: false } },
    axes: [{ label: 'price per kWh' }, { label: 'kWh', size: 70 }],
    series: [
      { label: 'price' },
      { label: 'supply', stroke: '#1565c0', width: 2, paths: stepped?.({ align: 1 }) },
      { label: 'demand', stroke: '#e65100', width: 2, paths: stepped?.({ align: -1 }) },
    ],
    hooks: { draw: clearingMarks(c) },
  };
  const data: UPlot.AlignedData = [c.prices.map(Number), c.supply.map(Number), c.demand.map(Number)];
  return new uPlotCtor(opts, data, target);
}
