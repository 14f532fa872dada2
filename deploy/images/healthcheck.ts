#!/usr/bin/env node
/**
 * The HEALTHCHECK of the project's images (deploy/images/Containerfile.app):
 *
 *   node dist/deploy/images/healthcheck.js chaincode    TCP connect to the chaincode server's address
 *   node dist/deploy/images/healthcheck.js api          GET /healthz of the REST API (API_PORT)
 *   node dist/deploy/images/healthcheck.js auctioneer   GET /healthz of the auctioneer (AUCTIONEER_PORT)
 *
 * The chaincode server's address is the `--chaincode-address` argument of the container's main
 * process (/proc/1/cmdline), or CORE_CHAINCODE_ADDRESS. Exit 0 when healthy, 1 with one line on
 * stderr (`healthcheck <CODE>: ...` naming the offending input) otherwise.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

const TIMEOUT_MS = 2000;

export class HealthcheckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`healthcheck ${code}: ${message}`);
  }
}

/** The value after `--chaincode-address` in a NUL-separated command line, else the env variable. */
export function chaincodeAddress(cmdline: string, env: NodeJS.ProcessEnv): string {
  const args = cmdline.split('\0');
  const i = args.indexOf('--chaincode-address');
  const address = i >= 0 ? args[i + 1] : env.CORE_CHAINCODE_ADDRESS;
  if (!address) {
    throw new HealthcheckError('E_NO_ADDRESS', `no --chaincode-address in ${JSON.stringify(args)}`);
  }
  return address;
}

/** host:port → its parts; refuses anything else. */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(address);
  const host = m?.[1];
  const port = Number(m?.[2]);
  if (!host || !(port >= 1 && port <= 65535)) {
    throw new HealthcheckError('E_BAD_ADDRESS', `not host:port: ${JSON.stringify(address)}`);
  }
  return { host, port };
}

function tcpProbe(address: string): Promise<void> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new HealthcheckError('E_TIMEOUT', `no answer from ${address} in ${TIMEOUT_MS} ms`));
    });
    socket.once('error', (e) => reject(new HealthcheckError('E_CONNECT', `${address}: ${e.message}`)));
  });
}

async function httpProbe(url: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new HealthcheckError('E_CONNECT', `${url}: ${(e as Error).message}`);
  }
  if (res.status !== 200) throw new HealthcheckError('E_STATUS', `${url} answered ${res.status}`);
}

/** The probe of one image kind. */
export function probe(kind: string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  switch (kind) {
    case 'chaincode':
      return tcpProbe(chaincodeAddress(fs.readFileSync('/proc/1/cmdline', 'utf8'), env));
    case 'api':
      return httpProbe(`http://127.0.0.1:${env.API_PORT ?? '3000'}/healthz`);
    case 'auctioneer':
      return httpProbe(`http://127.0.0.1:${env.AUCTIONEER_PORT ?? '3100'}/healthz`);
    default:
      return Promise.reject(
        new HealthcheckError(
          'E_USAGE',
          `unknown kind ${JSON.stringify(kind)} (chaincode, api or auctioneer)`,
        ),
      );
  }
}

if (require.main === module) {
  probe(process.argv[2], process.env).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
