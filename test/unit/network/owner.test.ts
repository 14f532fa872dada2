import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ownLikeParent } from '../../../network/src/owner';

const asRoot = process.getuid?.() === 0;

describe('ownLikeParent: a new identity folder gets the owner of enrolled/', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'owner-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const tree = () => {
    const enrolled = path.join(tmp, 'enrolled');
    const alice = path.join(enrolled, 'alice');
    fs.mkdirSync(path.join(alice, 'msp', 'keystore'), { recursive: true });
    fs.writeFileSync(path.join(alice, 'msp', 'keystore', 'key.pem'), 'k', { mode: 0o600 });
    return { enrolled, alice, key: path.join(alice, 'msp', 'keystore', 'key.pem') };
  };

  (asRoot ? it : it.skip)('as root: every file under the folder takes the parent’s uid and gid', () => {
    const { enrolled, alice, key } = tree();
    fs.chownSync(enrolled, 10001, 10001);
    ownLikeParent(alice);
    for (const p of [alice, path.join(alice, 'msp'), path.join(alice, 'msp', 'keystore'), key]) {
      expect(fs.statSync(p).uid).toBe(10001);
      expect(fs.statSync(p).gid).toBe(10001);
    }
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
  });

  it('leaves the files alone when the parent has the same owner', () => {
    const { alice, key } = tree();
    const before = fs.statSync(key);
    ownLikeParent(alice);
    expect(fs.statSync(key).uid).toBe(before.uid);
    expect(fs.statSync(key).ctimeMs).toBe(before.ctimeMs);
  });
});
