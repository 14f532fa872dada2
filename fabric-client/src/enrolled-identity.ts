/**
 * Where an identity enrolled from its org's Fabric CA keeps its files (network:generate and
 * `npm run identity:register` write them, network/src/ca.ts), and a connection profile that acts
 * as one of them: the REST API signs each tenant's transactions with the tenant's own identity.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectionProfile, IdentityFiles } from './connect';

/** `<enrolledDir>/<name>/msp/{signcerts/cert.pem,keystore/key.pem}` */
export function enrolledIdentityFiles(enrolledDir: string, name: string): Omit<IdentityFiles, 'name'> {
  const msp = path.join(enrolledDir, name, 'msp');
  return {
    certPath: path.join(msp, 'signcerts', 'cert.pem'),
    keyPath: path.join(msp, 'keystore', 'key.pem'),
  };
}

/** An identity the profile's org has not enrolled (or whose files this process cannot read). */
export class UnknownIdentityError extends Error {
  readonly code = 'E_IDENTITY';
  constructor(
    readonly mspId: string,
    readonly identity: string,
    detail: string,
  ) {
    super(`E_IDENTITY: ${identity} is not an identity enrolled for ${mspId}: ${detail}`);
    this.name = 'UnknownIdentityError';
  }
}

/** `profile` with its `user` replaced by the enrolled identity `name` of the same org. */
export function profileAs(profile: ConnectionProfile, name: string): ConnectionProfile {
  if (profile.enrolledDir === undefined) {
    throw new UnknownIdentityError(
      profile.mspId,
      name,
      'the connection file names no enrolled identities (made before Fabric CA: run npm run network:generate)',
    );
  }
  const files = enrolledIdentityFiles(profile.enrolledDir, name);
  for (const file of [files.certPath, files.keyPath]) {
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      const org = profile.mspId.replace(/MSP$/, '');
      // the operator's org holds no bidders (its roles: auctioneer, operator, auditor)
      const role = profile.mspId === 'OperatorMSP' ? 'operator' : 'bidder';
      throw new UnknownIdentityError(
        profile.mspId,
        name,
        `cannot read ${file} (register it: npm run identity:register -- --org ${org} --role ${role} --name ${name})`,
      );
    }
  }
  return { ...profile, identities: { ...profile.identities, user: { name, ...files } } };
}
