/** Entry point of the `energy-auction` command line tool (bin/energy-auction.js). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { clearCommand } from './commands/clear';
import { compareCommand } from './commands/compare';
import { experimentCommand } from './commands/experiment';
import { ledgerCommand } from './commands/ledger';
import { simulateCommand } from './commands/simulate';
import { CliError } from './errors';

const NAME = 'energy-auction';

function packageVersion(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === NAME && pkg.version) return pkg.version;
      } catch {
        // not ours: keep looking
      }
    }
  }
  return '0.0.0';
}

/** commander's own errors ("error: unknown option ...") get the same prefix as ours */
const OUTPUT = {
  writeErr: (s: string): void => {
    process.stderr.write(s.startsWith('error: ') ? `${NAME}: ${s}` : s);
  },
};

function buildProgram(): Command {
  const program = new Command(NAME)
    .description(
      'Replay and simulate sealed-bid P2P energy auction rounds (Stackelberg double auction, docs/mechanism.md).',
    )
    .version(packageVersion())
    .exitOverride()
    .configureOutput(OUTPUT)
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  $ ${NAME} simulate --buyers 100 --sellers 100 --seed 1 --out round.json
  $ ${NAME} clear round.json --profile doan2021
  $ ${NAME} clear round.csv --json
  $ ${NAME} compare round.json
  $ ${NAME} ledger replay <roundId>

Run "${NAME} <command> --help" for the options of each command.`,
    );
  for (const cmd of [
    clearCommand(),
    simulateCommand(),
    compareCommand(),
    ledgerCommand(),
    experimentCommand(),
  ]) {
    program.addCommand(cmd.exitOverride().configureOutput(OUTPUT));
  }
  return program;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 bad input, 2 bad command line). */
export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its one-line message (or the help). Its own exit code is 1
      // for most usage errors (a flag parser's InvalidArgumentError included); ours is 2.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return e.exitCode;
      return 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`${NAME}: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(
      `${NAME}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return 70;
  }
}

/** The reader of stdout went away (e.g. `--help | head`): nothing left to tell it, not a crash. */
function ignoreClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

export function run(): void {
  ignoreClosedStdout();
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${NAME}: ${String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
