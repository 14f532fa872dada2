/**
 * The services' rule for where they listen: a loopback address, unless the operator allows
 * another one (inside a container's own network namespace, whose ports the compose file publishes
 * on the host's 127.0.0.1 only).
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host);
}

/** The problem with listening on `host`, naming the variable that allows it; none when allowed. */
export function listenHostProblems(host: string, allowRemote: boolean, allowVariable: string): string[] {
  if (isLoopbackHost(host) || allowRemote) return [];
  return [`host ${host} is not a loopback address (set ${allowVariable}=1 to allow)`];
}
