import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { topology } from '../../../network/config/topology';
import { ownServiceKeys, serviceKeyDirs, serviceUid } from '../../../network/src/owner';
import { RunPaths } from '../../../network/src/paths';

describe('the keys the project containers read (owner.ts)', () => {
  test('ENERGY_SERVICE_UID: unset is none, a positive integer is the uid, anything else is refused', () => {
    expect(serviceUid({})).toBeUndefined();
    expect(serviceUid({ ENERGY_SERVICE_UID: '' })).toBeUndefined();
    expect(serviceUid({ ENERGY_SERVICE_UID: '10001' })).toBe(10001);
    for (const bad of ['0', '-1', 'energy', '10001x']) {
      expect(() => serviceUid({ ENERGY_SERVICE_UID: bad })).toThrow(/E_SERVICE_UID.*"/);
    }
  });

  test('the chaincode servers’ TLS, each org’s enrolled identities and users’ msp change owner, nothing else', () => {
    const t = topology(2);
    const p = new RunPaths(fs.mkdtempSync(path.join(os.tmpdir(), 'owner-')));
    try {
      const dirs = serviceKeyDirs(t, p);
      expect(dirs).toHaveLength(4 * t.orgs.length);
      for (const d of dirs) {
        fs.mkdirSync(d, { recursive: true });
        fs.writeFileSync(path.join(d, 'key.pem'), 'k');
      }
      const peerTls = path.join(p.peerDir(t.orgs[1]!), 'tls');
      fs.mkdirSync(peerTls, { recursive: true });
      fs.writeFileSync(path.join(peerTls, 'server.key'), 'k');
      expect(ownServiceKeys(t, p, undefined)).toBe(0);
      if (process.getuid?.() === 0) {
        expect(ownServiceKeys(t, p, 10001)).toBe(dirs.length);
        for (const d of dirs) expect(fs.statSync(path.join(d, 'key.pem')).uid).toBe(10001);
        expect(fs.statSync(path.join(peerTls, 'server.key')).uid).toBe(0); // the peer's own key stays root's
      } else {
        expect(() => ownServiceKeys(t, p, 10001)).toThrow(/EPERM/);
      }
    } finally {
      fs.rmSync(p.root, { recursive: true, force: true });
    }
  });
});
