/**
 * Who owns the keys the project's containers read. Their user is uid 10001 (the images' `energy`),
 * and cryptogen and Fabric CA write keys for root only: `network generate` in the tools image
 * (ENERGY_SERVICE_UID=10001 there) gives that user the chaincode servers' TLS keys and each peer
 * org's enrolled/ (the API's and auctioneer's identities) and users' msp/, nothing else. Files a
 * root process writes later into a folder that belongs to another user get that user too: an
 * identity registered after compose:up stays readable to the API and the auctioneer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Topology } from '../config/topology';
import type { RunPaths } from './paths';

/** Gives `dir` and everything in it the owner of its parent folder (when root and they differ). */
export function ownLikeParent(dir: string): void {
  const parent = fs.statSync(path.dirname(dir));
  if (process.getuid?.() !== 0) return;
  const mine = fs.statSync(dir);
  if (mine.uid === parent.uid && mine.gid === parent.gid) return;
  chownTree(dir, parent.uid, parent.gid);
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.lchownSync(p, uid, gid);
  if (!fs.lstatSync(p).isDirectory()) return;
  for (const entry of fs.readdirSync(p)) chownTree(path.join(p, entry), uid, gid);
}

/**
 * The uid (and gid) the project's containers run as, from ENERGY_SERVICE_UID (set in the tools
 * image); undefined when unset (the native network: every process runs as the one user).
 */
export function serviceUid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.ENERGY_SERVICE_UID;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(raw))
    throw new Error(`E_SERVICE_UID: ENERGY_SERVICE_UID must be a uid > 0, got "${raw}"`);
  return Number(raw);
}

/** The folders with keys the project's containers read (see the top of this file). */
export function serviceKeyDirs(t: Topology, p: RunPaths): string[] {
  return t.orgs.flatMap((org) => [
    path.join(p.chaincodeServerDir(org), 'tls'),
    p.enrolledRoot(org),
    path.join(p.userDir(org, 'Admin'), 'msp'),
    path.join(p.userDir(org, 'User1'), 'msp'),
  ]);
}

/** Gives the service user the keys its containers read, when one is configured; returns the count. */
export function ownServiceKeys(t: Topology, p: RunPaths, uid = serviceUid()): number {
  if (uid === undefined) return 0;
  const dirs = serviceKeyDirs(t, p).filter((d) => fs.existsSync(d));
  for (const dir of dirs) chownTree(dir, uid, uid);
  return dirs.length;
}
