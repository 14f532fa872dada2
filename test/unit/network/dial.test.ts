/** Where network tooling dials the nodes (network/src/dial.ts): 127.0.0.1 on the host, names in the compose network. */
import { dialAddress, dialHost } from '../../../network/src/dial';
import { topology } from '../../../network/config/topology';
import { peerCliEnv } from '../../../network/src/nodes';
import { RunPaths } from '../../../network/src/paths';
import { ordererArgs } from '../../../network/src/lifecycle';

describe('dial', () => {
  const host = 'peer0.utility1.energy.local';

  test('loopback by default, the node name with ENERGY_NETWORK_DIAL=names', () => {
    expect(dialHost(host, {})).toBe('127.0.0.1');
    expect(dialAddress(host, 7210, { ENERGY_NETWORK_DIAL: 'loopback' })).toBe('127.0.0.1:7210');
    expect(dialAddress(host, 7210, { ENERGY_NETWORK_DIAL: 'names' })).toBe(`${host}:7210`);
  });

  test('an unknown mode is refused, naming the variable and the value', () => {
    expect(() => dialHost(host, { ENERGY_NETWORK_DIAL: 'dns' })).toThrow(
      /E_DIAL: ENERGY_NETWORK_DIAL must be loopback or names, got "dns"/,
    );
  });

  describe('from a container (names)', () => {
    const saved = process.env.ENERGY_NETWORK_DIAL;
    beforeAll(() => (process.env.ENERGY_NETWORK_DIAL = 'names'));
    afterAll(() => {
      if (saved === undefined) delete process.env.ENERGY_NETWORK_DIAL;
      else process.env.ENERGY_NETWORK_DIAL = saved;
    });

    test('the peer CLI and the orderer address use the nodes’ names', () => {
      const t = topology(2, 'names');
      const p = new RunPaths('/tmp/dial-test-run');
      const org = t.orgs[1]!;
      expect(peerCliEnv(p, org).CORE_PEER_ADDRESS).toBe(`${org.peer.host}:${org.peer.port}`);
      expect(ordererArgs(t, p).slice(0, 2)).toEqual(['-o', `${t.orderers[0].host}:${t.orderers[0].port}`]);
    });
  });
});
