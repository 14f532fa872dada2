/** Options shared by the `ledger` commands: whose identity to read the ledger as, and which rounds. */
import { Command, Option } from 'commander';
import { OPERATOR_MSP } from '../../../chaincode/src/model';
import type { Profile } from '../../../engine/src/mechanism/types';
import type { IdentityFlags } from '../ledger/connection';
import { parseInstant } from '../ledger/select';

export const MECHANISMS: Profile[] = ['default', 'doan2021'];

export const IDENTITY_HELP = `
Identity: by default the operator's (${OPERATOR_MSP}) connection material that "npm run network:up"
writes to network/run/connection/<MSPID>.json (ENERGY_NETWORK_RUN_DIR or --run-dir elsewhere); --msp
picks another org's, --config a JSON file naming the peer and the identity:
  {"mspId": "${OPERATOR_MSP}", "peerEndpoint": "127.0.0.1:7200", "peerHostAlias": "peer0.operator.energy.local",
   "tlsCACert": "tlsca.pem", "cert": "cert.pem", "key": "key.pem", "channel": "energy", "chaincode": "market"}
(peerHostAlias, channel and chaincode may be left out; relative paths are read from the file's folder).`;

export const EXIT_HELP = `
Exit status: 0 done (replay: every round byte-identical); 1 a round or the network could not be read;
2 bad command line; 3 a replay differs from the recorded clearing; 4 a sealed batch does not match its
salted commitment; 5 the identity may not read what was asked (a utility asking for the whole round).`;

/** --msp, --identity, --run-dir, --config */
export function addIdentityOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--msp <mspId>', 'read as this org, from its connection file')
        .default(OPERATOR_MSP)
        .conflicts('config'),
    )
    .addOption(
      new Option('--identity <who>', "the org's user or its Admin")
        .choices(['user', 'admin'])
        .default('user'),
    )
    .addOption(
      new Option(
        '--run-dir <dir>',
        'the network run folder holding connection/ (default network/run)',
      ).conflicts('config'),
    )
    .addOption(
      new Option('--config <file>', 'a client config file naming peer, TLS CA, certificate, key, MSP id'),
    );
}

/** --from / --to: close times */
export function addRangeOptions(cmd: Command): Command {
  return cmd
    .option(
      '--from <time>',
      'rounds closing at or after this ISO 8601 time (e.g. 2026-12-03T10:00:00Z)',
      parseInstant,
    )
    .option('--to <time>', 'rounds closing at or before this ISO 8601 time', parseInstant);
}

export const identityOf = (flags: IdentityFlags): IdentityFlags => ({
  msp: flags.msp,
  identity: flags.identity,
  runDir: flags.runDir,
  config: flags.config,
});
