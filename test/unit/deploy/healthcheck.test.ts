/** deploy/images/healthcheck.ts: which address the chaincode image's HEALTHCHECK probes, and refusals. */
import * as net from 'node:net';
import { chaincodeAddress, probe, splitAddress } from '../../../deploy/images/healthcheck';

describe('image healthcheck', () => {
  test('the chaincode server address comes from --chaincode-address, else CORE_CHAINCODE_ADDRESS', () => {
    const cmdline = ['node', 'cli.js', 'server', '--chaincode-address', '127.0.0.1:7213', '--x'].join('\0');
    expect(chaincodeAddress(cmdline, {})).toBe('127.0.0.1:7213');
    expect(chaincodeAddress('node\0cli.js', { CORE_CHAINCODE_ADDRESS: '127.0.0.1:9' })).toBe('127.0.0.1:9');
    expect(() => chaincodeAddress('node\0cli.js', {})).toThrow(/E_NO_ADDRESS.*cli\.js/);
  });

  test('host:port only, port 1-65535, the input named in the error', () => {
    expect(splitAddress('127.0.0.1:7203')).toEqual({ host: '127.0.0.1', port: 7203 });
    for (const bad of ['127.0.0.1', ':7203', '127.0.0.1:0', '127.0.0.1:70000', 'h:x']) {
      expect(() => splitAddress(bad)).toThrow(`E_BAD_ADDRESS: not host:port: ${JSON.stringify(bad)}`);
    }
  });

  test('an unknown kind is refused; the API probe fails on a closed port and passes on /healthz 200', async () => {
    await expect(probe('peer', {})).rejects.toThrow(/E_USAGE: unknown kind "peer"/);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(probe('api', { API_PORT: String(port) })).rejects.toThrow(/E_CONNECT/);

    const http = await import('node:http');
    const server = http.createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const ok = (server.address() as net.AddressInfo).port;
    try {
      await expect(probe('auctioneer', { AUCTIONEER_PORT: String(ok) })).resolves.toBeUndefined();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
