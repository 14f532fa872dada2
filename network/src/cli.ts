#!/usr/bin/env node
/**
 * `npm run network:up|down|status` — the native Fabric network (see docs/network.md).
 *
 *   network up [--utilities N]   start everything that is not running (idempotent)
 *   network down [--purge]       stop the processes it started; --purge also deletes network/run
 *   network status               one line per node (pid, health, ports) and the channel's Raft health
 *   network generate [--utilities N] [--addresses names|loopback]   only generate crypto, channel
 *                                block, packages, connection files (for docker-compose: names)
 *   network setup                join + deploy on nodes started elsewhere (docker-compose)
 *   network add-utility [--step all|material|channel]   the running network grows by Utility<N+1>
 *                                on the live channel (material/channel: the compose steps)
 *   network compose-file [--utilities N] [--file F] [--check]   write (or check) docker-compose.yaml
 *   network identity register --org O --role R --name N   a client identity from O's Fabric CA
 *   network identity revoke --org O --name N              revoked at the CA and on the channel
 */
import { Command, Option } from 'commander';
import { consensusStatus, down, openGenerated, prepare, setup, status, up, type NodeStatus } from './network';
import { addUtility, joinNextUtility, prepareNextUtility } from './grow';
import { registerIdentity, revokeIdentity } from './identity';
import { RunPaths } from './paths';
import { writeComposeFile } from './compose-file';
import { ADDRESSINGS, DEFAULT_UTILITIES, type Addressing } from '../config/topology';
import type { RaftHealth } from './raft-health';

const program = new Command('network').description('The native Hyperledger Fabric network of energy-auction');

program
  .command('up')
  .description(
    'generate what is missing, start what is not running, deploy the chaincode, wait until healthy',
  )
  .option('--utilities <n>', 'number of utility orgs when generating a new network (default 2)', (v) =>
    Number(v),
  )
  .action(async (o: { utilities?: number }) => {
    const envUtilities = process.env.ENERGY_UTILITIES ? Number(process.env.ENERGY_UTILITIES) : undefined;
    await up({ utilities: o.utilities ?? envUtilities });
  });

program
  .command('generate')
  .description('only generate: crypto, channel block, chaincode packages, connection files, compose.env')
  .option('--utilities <n>', 'number of utility orgs when generating a new network (default 2)', (v) =>
    Number(v),
  )
  .addOption(
    new Option(
      '--addresses <mode>',
      'how nodes dial each other: names (docker-compose, one network namespace per node) or ' +
        'loopback (the native network on 127.0.0.1)',
    )
      .choices(ADDRESSINGS)
      .default('names'),
  )
  .action((o: { utilities?: number; addresses: Addressing }) => {
    const envUtilities = process.env.ENERGY_UTILITIES ? Number(process.env.ENERGY_UTILITIES) : undefined;
    const { p } = prepare({ utilities: o.utilities ?? envUtilities, addressing: o.addresses });
    console.log(`[network] ready in ${p.root}`);
  });

program
  .command('setup')
  .description('join the channel and deploy the chaincode on nodes started elsewhere (docker-compose)')
  .action(async () => {
    await setup({}, openGenerated() ?? prepare());
    console.log('[network] channel and chaincode ready');
  });

program
  .command('add-utility')
  .description(
    'add the next utility org to the running network: crypto and CA identities, a channel config ' +
      'update signed by a majority of the member admins, its peer and chaincode server, the ' +
      "chaincode's next definition with its collection (ledgers and rounds stay)",
  )
  .addOption(
    new Option(
      '--step <step>',
      "all: the whole native growth; material: only the new org's crypto, identities, package and " +
        'connection files (offline); channel: material + the channel config update, no node started ' +
        '(docker-compose: compose.sh add-utility runs these two in the tools container)',
    )
      .choices(['all', 'material', 'channel'])
      .default('all'),
  )
  .action(async (o: { step: 'all' | 'material' | 'channel' }) => {
    if (o.step === 'material') {
      const { org, p } = prepareNextUtility();
      console.log(`[network] material of ${org.mspId} ready in ${p.root}`);
      return;
    }
    const { org } = o.step === 'channel' ? joinNextUtility({}, false) : await addUtility();
    console.log(
      `[network] ${org.mspId} is a member of the channel; connection ${new RunPaths().connectionFile(org.mspId)}`,
    );
  });

program
  .command('compose-file')
  .description('write docker-compose.yaml for N utility orgs (the committed file is the one for 2)')
  .option('--utilities <n>', `number of utility orgs (default ${DEFAULT_UTILITIES})`, (v) => Number(v))
  .option('--file <path>', 'where to write it (default: docker-compose.yaml at the repo root)')
  .option('--check', 'only check that the file is what the generator writes (exit 1 if not)')
  .action((o: { utilities?: number; file?: string; check?: boolean }) => {
    const utilities = o.utilities ?? DEFAULT_UTILITIES;
    const r = writeComposeFile({ utilities, file: o.file, check: o.check === true });
    const what = o.check === true ? 'is up to date' : r.upToDate ? 'was already up to date' : 'written';
    console.log(`[compose] ${r.file} for ${utilities} utilities ${what}`);
  });

program
  .command('down')
  .description('stop the processes this network started (by recorded pid)')
  .option('--purge', 'also delete ledgers, crypto, channel block and logs (network/run)')
  .action(async (o: { purge?: boolean }) => {
    await down({ purge: o.purge === true });
  });

/** One line per node; returns how many are healthy. */
function printNodes(nodes: NodeStatus[]): number {
  for (const n of nodes) {
    const state = n.pid === undefined ? 'stopped' : n.healthy ? 'healthy' : 'UNHEALTHY';
    console.log(
      `${n.name.padEnd(22)} ${state.padEnd(9)} pid ${String(n.pid ?? '-').padEnd(8)} ports ${n.ports.join(',')}`,
    );
  }
  const ok = nodes.filter((n) => n.healthy).length;
  console.log(`[network] ${ok}/${nodes.length} nodes healthy`);
  return ok;
}

/** One line per orderer's Raft state, then the cluster's verdict. */
function printRaft(raft: RaftHealth): void {
  for (const o of raft.orderers) {
    console.log(
      `  raft ${o.name.padEnd(17)} ${o.isLeader ? 'leader  ' : 'follower'} block ${o.height} ` +
        `active ${o.activeNodes}/${o.clusterSize}`,
    );
  }
  console.log(
    raft.healthy
      ? `[network] channel ${raft.channel}: Raft healthy, leader ${raft.leaders.join(', ')}`
      : `[network] channel ${raft.channel}: Raft UNHEALTHY: ${raft.problems.join('; ')}`,
  );
}

program
  .command('status')
  .description('show each node: pid, health, ports')
  .action(async () => {
    const nodes = await status();
    if (nodes.length === 0) {
      console.log('[network] not generated yet (npm run network:up)');
      return;
    }
    const ok = printNodes(nodes);
    // A live process is not a working orderer: judge the channel's Raft cluster too.
    const raft = await consensusStatus();
    if (raft) printRaft(raft);
    if (ok !== nodes.length || (raft && !raft.healthy)) process.exitCode = 3;
  });

const identity = program.command('identity').description("client identities from each org's Fabric CA");
identity
  .command('revoke')
  .description("revoke an enrolled identity at its CA and in the org's channel MSP (peers refuse it)")
  .requiredOption('--org <org>', 'Operator, Utility1, ... (or the MSP id)')
  .requiredOption('--name <name>', 'the enrolled identity')
  .action((o: { org: string; name: string }) => {
    const org = revokeIdentity(o);
    console.log(
      `[identity] ${o.name} of ${org.mspId} revoked; the channel's ${org.mspId} MSP has the new CRL`,
    );
  });
identity
  .command('register')
  .description('register and enroll a client identity with its market.role (docs/network.md)')
  .requiredOption('--org <org>', 'Operator, Utility1, ... (or the MSP id)')
  .requiredOption('--role <role>', 'operator | auctioneer (Operator only), bidder (utilities only), auditor')
  .requiredOption('--name <name>', 'identity name: lower-case letters, digits, -')
  .action((o: { org: string; role: string; name: string }) => {
    const id = registerIdentity(o);
    console.log(`[identity] ${o.name} (${id.org.mspId}, market.role=${o.role}) enrolled:`);
    console.log(`  certificate ${id.certPath}`);
    console.log(`  private key ${id.keyPath}`);
    // what the REST API's tenant table needs to sign a token's requests as this identity
    const tenant = {
      mspId: id.org.mspId,
      role: id.org.kind === 'operator' ? 'operator' : 'utility',
      name: o.name,
      identity: o.name,
    };
    console.log(`  API tenant (docs/api.md, "Tenants and identities"): ${JSON.stringify(tenant)}`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`[network] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
