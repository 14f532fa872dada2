/**
 * Fixed addresses on the compose project's network, and every node's name in every container's
 * /etc/hosts (`extra_hosts`), so that a node finds another by its host name without a DNS query:
 * Podman's aardvark-dns stopped answering within the Go resolver's timeout during a CI run here
 * (peers logged `lookup orderer1.orderer.energy.local: i/o timeout`, no transaction got through).
 * Names stay the addresses in the channel block and the connection files; across machines a DNS
 * (or each host's /etc/hosts) maps them instead.
 */
import type { Topology } from '../config/topology';

/** The project network's subnet (docker-compose `networks.default.ipam`). */
export const COMPOSE_SUBNET = '10.89.250.0/24';
const PREFIX = '10.89.250.';

/** Each container name with its fixed address: orderers .11-, peers .21-, chaincode .41-, CAs .61-, services .81-. */
export function composeHosts(t: Topology): { name: string; address: string }[] {
  const at = (base: number, names: string[]) =>
    names.map((name, i) => ({ name, address: `${PREFIX}${base + i}` }));
  return [
    ...at(
      11,
      t.orderers.map((o) => o.host),
    ),
    ...at(
      21,
      t.orgs.map((org) => org.peer.host),
    ),
    ...at(
      41,
      t.orgs.map((org) => org.chaincodeServer.host),
    ),
    ...at(
      61,
      t.orgs.map((org) => org.ca.host),
    ),
    ...at(81, ['gateway.energy.local', 'auctioneer.energy.local']),
  ];
}

/** The `x-hosts` anchor (extra_hosts of every service). */
export function hostsAnchor(t: Topology): string {
  const lines = composeHosts(t).map((h) => `  - ${h.name}:${h.address}\n`);
  return `
# Every container finds the others in its /etc/hosts, at fixed addresses on the project network
# (network/src/compose-hosts.ts: no DNS query on the way; aardvark-dns timed out under load here).
x-hosts: &hosts
${lines.join('')}`;
}

/** The top-level `networks:` block: the project network with its fixed subnet. */
export function networksBlock(): string {
  return `
networks:
  default:
    ipam:
      # what Podman reports back for its networks: docker-compose otherwise wants to recreate the
      # network on every later command (IPAM option "driver" has changed)
      options:
        driver: host-local
      config:
        - subnet: ${COMPOSE_SUBNET}
`;
}

/** Inserts each named container's fixed address and the hosts list after its `container_name:`. */
export function withStaticAddresses(services: string, t: Topology): string {
  const address = new Map(composeHosts(t).map((h) => [h.name, h.address]));
  return services.replace(/^ {4}container_name: (\S+)\n/gm, (line, name: string) => {
    const ip = address.get(name);
    if (ip === undefined) throw new Error(`E_COMPOSE_HOSTS: no fixed address for container ${name}`);
    return `${line}    networks:\n      default:\n        ipv4_address: ${ip}\n    extra_hosts: *hosts\n`;
  });
}
