import { showAccount } from './account.js';
import { api, ApiError, setToken, token, type RoundRecord, type Session } from './api.js';
import { byId, fill, el } from './dom.js';
import { showOperatorRound } from './operator.js';
import { followRounds } from './live.js';
import { listRounds, renderRounds, sortRounds, tickCountdowns } from './rounds.js';
import { showUtilityRound } from './utility.js';
import { showSystem } from './system.js';

interface State {
  session: Session;
  rounds: RoundRecord[];
  selected: string | null;
}

/** Shows an error in the page's alert region (a 401 signs out). */
function report(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) {
    signOut();
    return;
  }
  byId('alert').textContent = e instanceof Error ? e.message : String(e);
}

/** The selected round's panel, for the signed-in role. */
function showRound(s: State): void {
  const id = s.selected;
  if (id === null) return;
  const target = byId('round');
  const round = s.rounds.find((r) => r.id === id);
  const p =
    s.session.role === 'operator'
      ? showOperatorRound(target, id, round)
      : showUtilityRound(target, id, round?.status);
  p.catch(report);
}

/** The account section: the utility's own account (never another's), the operator's fee account. */
function showOwnAccount(s: State): void {
  const who = s.session.role === 'operator' ? 'operator' : s.session.mspId;
  showAccount(byId('account'), who, s.session.role === 'utility').catch(report);
}

const settledCount = (rs: RoundRecord[]): number => rs.filter((r) => r.status === 'SETTLED').length;

/**
 * Draws the rounds list; redraws the selected round when its status moved on, and the account
 * when a round was settled.
 */
function render(s: State, rounds: RoundRecord[]): void {
  const before = s.rounds.find((r) => r.id === s.selected)?.status;
  const settledBefore = s.rounds.length === 0 ? null : settledCount(s.rounds);
  s.rounds = rounds;
  const select = (id: string): void => {
    s.selected = id;
    renderRounds(byId('rounds'), s.rounds, id, select);
    showRound(s);
  };
  renderRounds(byId('rounds'), s.rounds, s.selected, select);
  const after = s.rounds.find((r) => r.id === s.selected)?.status;
  if (before !== undefined && after !== before) showRound(s);
  if (settledBefore !== null && settledCount(s.rounds) !== settledBefore) showOwnAccount(s);
}

/** Reloads the whole rounds list. */
async function refresh(s: State): Promise<void> {
  render(s, await listRounds());
}

/** Merges live round changes into the list. */
function merge(s: State, changed: RoundRecord[]): void {
  const byRound = new Map(s.rounds.map((r) => [r.id, r]));
  for (const r of changed) byRound.set(r.id, r);
  render(s, sortRounds([...byRound.values()]));
  byId('live').textContent = `live · ${new Date().toLocaleTimeString()}`;
}

let live: AbortController | null = null;

/** Follows the live events, reconnecting after 3 s when the stream drops. */
function goLive(s: State): void {
  live = new AbortController();
  const signal = live.signal;
  const again = (): void => {
    if (signal.aborted) return;
    byId('live').textContent = 'reconnecting…';
    setTimeout(() => {
      if (!signal.aborted) goLive(s);
    }, 3000);
  };
  followRounds((rs) => merge(s, rs), signal).then(again, again);
}

let timers: number[] = [];

function signOut(): void {
  setToken(null);
  for (const t of timers) clearInterval(t);
  timers = [];
  live?.abort();
  live = null;
  byId('app').hidden = true;
  byId('signin').hidden = false;
  byId('who').textContent = '';
  fill(byId('account'));
  fill(byId('round'));
}

/** Starts the signed-in page: the rounds list, live over /v1/events, countdowns every second. */
async function start(): Promise<void> {
  const session = await api<Session>('/v1/session');
  const s: State = { session, rounds: [], selected: null };
  byId('signin').hidden = true;
  byId('app').hidden = false;
  fill(byId('who'), el('span', {}, `${session.mspId} (${session.role})`));
  document.body.dataset['role'] = session.role;
  await refresh(s);
  showOwnAccount(s);
  if (session.role === 'operator') {
    const system = (): void => void showSystem(byId('system')).catch(report);
    system();
    timers.push(window.setInterval(system, 15_000));
  } else fill(byId('system'));
  timers.push(window.setInterval(tickCountdowns, 1000));
  goLive(s);
  // a full reload now and then, should an event have been missed
  timers.push(window.setInterval(() => void refresh(s).catch(report), 60_000));
}

function main(): void {
  const form = byId('signin-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = byId('token') as HTMLInputElement;
    setToken(input.value.trim());
    input.value = '';
    byId('signin-error').textContent = '';
    start().catch((e: unknown) => {
      setToken(null);
      byId('signin-error').textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e);
    });
  });
  byId('signout').addEventListener('click', signOut);
  if (token() !== null) start().catch(report);
}

main();
