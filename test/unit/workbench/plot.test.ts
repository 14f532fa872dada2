/** Every chart renders (Vega-Lite -> Vega -> SVG, headless) to SVG with the marks it promises. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clear, validateRound } from '../../../engine/src/mechanism';
import { MECHANISM_NAMES, MECHANISMS } from '../../../engine/src/mechanisms';
import { simulateRound } from '../../../engine/src/sim/simulate';
import { expandSettings, mergeConfig } from '../../../workbench/src/experiment/config';
import { experimentTasks } from '../../../workbench/src/experiment/run';
import { runTask } from '../../../workbench/src/experiment/task';
import { clearChart, clearPlotData } from '../../../workbench/src/plot/clear-chart';
import { compareChart } from '../../../workbench/src/plot/compare-chart';
import { experimentChart } from '../../../workbench/src/plot/experiment-chart';
import { parsePlotPath, renderSvg } from '../../../workbench/src/plot/render';
import { FIXTURES, requireBuild, runCli } from './run-cli';
import { readSvg } from './svg';

const vectorA = (): ReturnType<typeof validateRound> =>
  validateRound(JSON.parse(readFileSync(join(FIXTURES, 'vector-a.json'), 'utf8')));

describe('clear --plot chart', () => {
  it('draws supply and demand, the price range, the clearing price and A(p)', async () => {
    const { params, bids } = vectorA();
    const result = clear(params, bids);
    const data = clearPlotData(params, bids, result);
    expect(data.price).toBe(14.1);
    expect(data.range).toEqual({ min: 10, max: 15 });
    // A(p) over the range, its maximum at the clearing price (default profile)
    const best = data.objective.reduce((a, b) => (b.A > a.A ? b : a));
    expect(best.price).toBeCloseTo(14.1, 4);
    expect(data.objective[0]?.price).toBe(10);
    expect(data.objective[data.objective.length - 1]?.price).toBe(15);
    // supply: 4 steps, 2 vertices each, from 0 kWh
    expect(data.curves.filter((p) => p.curve === 'supply')).toHaveLength(8);

    const svg = readSvg(await renderSvg(clearChart(data)));
    // two curves (one path each) in the top panel, A(p) in the bottom one
    expect(svg.items.get('line')).toBe(3);
    expect(svg.groups.get('mark-line role-mark')).toBe(3);
    // the price range band, the price as a horizontal and a vertical rule
    expect(svg.items.get('rect')).toBe(1);
    expect(svg.items.get('rule')).toBe(2);
    expect(svg.axisTitles).toEqual(
      expect.arrayContaining(['cumulative energy (kWh)', 'price per kWh', 'A(p)']),
    );
  });

  it('draws a no-trade round without a price or an objective', async () => {
    const { params, bids } = validateRound({
      bids: [
        { id: 'b1', side: 'buy', price: '5', quantity: '1' },
        { id: 's1', side: 'sell', price: '9', quantity: '1' },
      ],
    });
    const data = clearPlotData(params, bids, clear(params, bids));
    expect(data.price).toBeUndefined();
    expect(data.objective).toEqual([]);
    const svg = readSvg(await renderSvg(clearChart(data)));
    expect(svg.items.get('rule') ?? 0).toBe(0);
    expect(svg.items.get('line')).toBeGreaterThanOrEqual(2);
  });

  it('draws a large round with a bounded number of vertices', () => {
    const { params, bids } = validateRound(
      simulateRound({ buyers: 20000, sellers: 20000, seed: 2, priceDecimals: 4 }),
    );
    const data = clearPlotData(params, bids, clear(params, bids));
    expect(data.curves.length).toBeLessThanOrEqual(4 * 500);
  });
});

describe('compare --plot chart (compareChart)', () => {
  it('draws the three welfare bars and the efficiency bar of each mechanism', async () => {
    const { params, bids } = vectorA();
    const rows = MECHANISM_NAMES.map((m) => MECHANISMS[m](params, bids));
    const svg = readSvg(await renderSvg(compareChart(rows)));
    expect(svg.items.get('rect')).toBe(MECHANISM_NAMES.length * 4);
    expect(svg.axisTitles).toEqual(expect.arrayContaining(['mechanism', 'welfare (currency)', 'efficiency']));
  });
});

describe('experiment --plot chart', () => {
  it('draws one box per setting and mechanism for efficiency and welfare', async () => {
    const config = mergeConfig({
      rounds: 6,
      buyers: 20,
      sellers: 20,
      mechanisms: ['default', 'uniform'],
      vary: [['alpha', ['1', '4']]],
    });
    const settings = expandSettings(config);
    const rows = experimentTasks(config, settings).flatMap(runTask);
    const svg = readSvg(await renderSvg(experimentChart(rows, settings)));
    // a box plot is a rule (whiskers), a bar (the box) and a tick (median) per box: 2 panels x 4 boxes
    expect(svg.groups.get('mark-rect role-mark')).toBe(2 * 2);
    expect(svg.items.get('rect')).toBe(2 * 4 * 2);
    expect(svg.axisTitles).toEqual(
      expect.arrayContaining(['setting', 'efficiency', 'social welfare (currency)']),
    );
  });
});

describe('--plot paths', () => {
  it('accepts .svg and "-", refuses PNG and other extensions', () => {
    expect(parsePlotPath('work/a.svg')).toBe('work/a.svg');
    expect(parsePlotPath('-')).toBe('-');
    expect(() => parsePlotPath('a.png')).toThrow(/node-canvas/);
    expect(() => parsePlotPath('a.pdf')).toThrow(/plots are SVG/);
  });
});

describe('energy-auction clear --plot (built CLI)', () => {
  it('writes the SVG beside the usual output, and refuses a PNG before reading the round', () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'plot-'));
    try {
      const file = join(dir, 'a.svg');
      const r = runCli(['clear', join(FIXTURES, 'vector-a.json'), '--plot', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/clearing price\s+14\.1 per kWh/);
      expect(readSvg(readFileSync(file, 'utf8')).items.get('line')).toBe(3);
      const png = runCli(['clear', 'missing.json', '--plot', join(dir, 'a.png')]);
      expect(png.status).toBe(2);
      expect(png.stderr).toMatch(/--plot.*PNG needs node-canvas/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
