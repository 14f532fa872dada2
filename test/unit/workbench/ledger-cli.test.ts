/** `energy-auction ledger` as a built command line: help, usage errors and unreadable identities (no network). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild, runCli } from './run-cli';

jest.setTimeout(60_000);

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'energy-auction-ledger-cli-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One line on stderr, prefixed, and never a stack trace. */
const oneLine = (stderr: string): string => {
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr.trim();
};

test('the ledger group and its commands have help with examples and the exit codes', () => {
  const group = runCli(['ledger', '--help']);
  expect(group.status).toBe(0);
  expect(group.stdout).toMatch(/^\s+list \[options\]/m);
  expect(group.stdout).toMatch(/^\s+export \[options\] <roundId>/m);
  expect(group.stdout).toMatch(/^\s+replay \[options\] \[roundIds\.\.\.\]/m);
  for (const sub of ['list', 'export', 'replay']) {
    const r = runCli(['ledger', sub, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain(
      '3 a replay differs from the recorded clearing; 4 a sealed batch does not match',
    );
    expect(r.stdout).toContain('--config <file>');
  }
  expect(runCli(['--help']).stdout).toMatch(/^\s+ledger\s/m);
});

test('usage errors exit 2 before anything is read', () => {
  const none = runCli(['ledger', 'replay']);
  expect([none.status, oneLine(none.stderr)]).toEqual([
    2,
    'energy-auction: name a round id, several, or a range of close times (--from/--to)',
  ]);
  const from = runCli(['ledger', 'replay', '--from', 'yesterday']);
  expect(from.status).toBe(2);
  expect(oneLine(from.stderr)).toMatch(
    /option '--from <time>' argument 'yesterday' is invalid\. must be an ISO 8601/,
  );
  expect(runCli(['ledger', 'replay', 'r1', '--mechanism', 'vcg']).status).toBe(2);
  expect(runCli(['ledger', 'export', 'r1', '--msp', 'OperatorMSP', '--config', 'c.json']).status).toBe(2);
  const out = runCli(['ledger', 'export', 'r1', '--out', join(dir, 'r1.txt')]);
  expect(out.status).toBe(2);
});

test('a missing connection profile or a broken config file is one line, exit 1', () => {
  const list = runCli(['ledger', 'list', '--run-dir', dir]);
  expect(list.status).toBe(1);
  expect(oneLine(list.stderr)).toBe(
    `energy-auction: no connection profile ${join(dir, 'connection', 'OperatorMSP.json')}: is the network up (npm run network:up)?`,
  );
  const config = join(dir, 'client.json');
  writeFileSync(config, JSON.stringify({ mspId: 'OperatorMSP', peerEndpoint: '127.0.0.1:7200' }));
  const r = runCli(['ledger', 'replay', 'r1', '--config', config]);
  expect(r.status).toBe(1);
  expect(oneLine(r.stderr)).toBe(
    `energy-auction: ${config}: missing or empty field(s): tlsCACert, cert, key`,
  );
});
