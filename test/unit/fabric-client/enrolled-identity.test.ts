import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionProfile } from '../../../fabric-client/src/connect';
import {
  enrolledIdentityFiles,
  profileAs,
  UnknownIdentityError,
} from '../../../fabric-client/src/enrolled-identity';

function profile(enrolledDir?: string): ConnectionProfile {
  return {
    mspId: 'Utility1MSP',
    channel: 'energy',
    chaincode: 'market',
    peer: { endpoint: '127.0.0.1:7051', hostAlias: 'peer0', tlsCACertPath: '/x/ca.pem', tlsCACertPem: 'pem' },
    identities: {
      user: { name: 'bidder', certPath: '/b/cert.pem', keyPath: '/b/key.pem' },
      admin: { name: 'Admin', certPath: '/a/cert.pem', keyPath: '/a/key.pem' },
    },
    ...(enrolledDir !== undefined ? { enrolledDir } : {}),
  };
}

describe('profileAs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enrolled-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('acts as an enrolled identity of the same org, keeping the admin', () => {
    const files = enrolledIdentityFiles(dir, 'alice');
    for (const f of [files.certPath, files.keyPath]) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, 'pem');
    }
    const p = profileAs(profile(dir), 'alice');
    expect(p.identities.user).toEqual({ name: 'alice', ...files });
    expect(p.identities.user.certPath).toBe(path.join(dir, 'alice', 'msp', 'signcerts', 'cert.pem'));
    expect(p.identities.admin.name).toBe('Admin');
    expect(p.mspId).toBe('Utility1MSP');
  });

  it('refuses an identity the org never enrolled, with the command that registers it', () => {
    let err: unknown;
    try {
      profileAs(profile(dir), 'mallory');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownIdentityError);
    expect((err as UnknownIdentityError).code).toBe('E_IDENTITY');
    expect((err as Error).message).toContain('mallory is not an identity enrolled for Utility1MSP');
    expect((err as Error).message).toContain(
      'npm run identity:register -- --org Utility1 --role bidder --name mallory',
    );
  });

  it("names a role the operator's org may hold in its register hint", () => {
    expect(() => profileAs({ ...profile(dir), mspId: 'OperatorMSP' }, 'ops2')).toThrow(
      /npm run identity:register -- --org Operator --role operator --name ops2/,
    );
  });

  it('refuses when the connection file predates the CA (no enrolled folder)', () => {
    expect(() => profileAs(profile(), 'alice')).toThrow(/E_IDENTITY: .*network:generate/);
  });
});
