/**
 * Where this process dials the network's nodes: on the host (`loopback`: the native network, or
 * the compose file's ports published on 127.0.0.1), or from a container on the compose network
 * (`names`: the setup service, which has no 127.0.0.1 route to any node). ENERGY_NETWORK_DIAL
 * selects it; the default is loopback.
 */
import { HOST } from '../config/topology';

export const DIAL_ENV = 'ENERGY_NETWORK_DIAL';

/** The host to dial for the node named `host`. */
export function dialHost(host: string, env: NodeJS.ProcessEnv = process.env): string {
  const mode = env[DIAL_ENV] ?? 'loopback';
  if (mode === 'names') return host;
  if (mode === 'loopback') return HOST;
  throw new Error(`E_DIAL: ${DIAL_ENV} must be loopback or names, got ${JSON.stringify(mode)}`);
}

/** `host:port` to dial for the node named `host`. */
export function dialAddress(host: string, port: number, env: NodeJS.ProcessEnv = process.env): string {
  return `${dialHost(host, env)}:${port}`;
}
