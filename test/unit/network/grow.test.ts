import { topology } from '../../../network/config/topology';
import { majoritySigners } from '../../../network/src/grow';
import { targetSequence } from '../../../network/src/lifecycle';

describe('the chaincode definition a topology needs (lifecycle targetSequence)', () => {
  const t3 = topology(3);

  test('the first sequence when nothing is committed', () => {
    expect(targetSequence(t3, undefined)).toEqual({ sequence: 1, committed: false });
  });

  test('nothing to do when the committed collections are the topology’s, in any order', () => {
    const committed = {
      sequence: 4,
      collections: ['bidsUtility3MSP', 'bidsUtility1MSP', 'bidsUtility2MSP'].sort(),
    };
    expect(targetSequence(t3, committed)).toEqual({ sequence: 4, committed: true });
  });

  test('the next sequence when a utility joined (one collection more than committed)', () => {
    const committed = { sequence: 1, collections: ['bidsUtility1MSP', 'bidsUtility2MSP'] };
    expect(targetSequence(t3, committed)).toEqual({ sequence: 2, committed: false });
  });

  test('the next sequence when a committed collection has another name', () => {
    const committed = { sequence: 2, collections: ['bidsUtility1MSP', 'bidsUtility2MSP', 'bidsUtility9MSP'] };
    expect(targetSequence(t3, committed)).toEqual({ sequence: 3, committed: false });
  });
});

describe('who signs the channel update that adds an org (MAJORITY Admins)', () => {
  test.each([
    [1, ['OperatorMSP', 'Utility1MSP']],
    [2, ['OperatorMSP', 'Utility1MSP']],
    [3, ['OperatorMSP', 'Utility1MSP', 'Utility2MSP']],
    [4, ['OperatorMSP', 'Utility1MSP', 'Utility2MSP']],
  ])('with %i utilities: the operator and enough utilities for a majority', (utilities, expected) => {
    const members = topology(utilities).orgs;
    const signers = majoritySigners(members).map((o) => o.mspId);
    expect(signers).toEqual(expected);
    expect(signers.length).toBeGreaterThan(members.length / 2);
  });
});
