/**
 * Files a root process writes into a folder that belongs to another user get that user too. The
 * compose deployment gives an org's `enrolled/` to the containers' user (uid 10001) so the API and
 * the auctioneer can read their keys; an identity registered later (root, on the host) would
 * otherwise stay unreadable to them until the next `compose:up`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

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
