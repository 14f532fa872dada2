import {
  CommitError,
  CommitStatusError,
  EndorseError,
  GatewayError,
  StatusCode,
} from '@hyperledger/fabric-gateway';
// fabric-gateway 1.11 exports SubmitError as a type only: the real class, from its module
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror';
import type { ServiceError } from '@grpc/grpc-js';
import { toMarketClientError } from '../../../fabric-client/src/market-client';

const cause = { code: 10, details: 'x', metadata: undefined } as unknown as ServiceError;

describe('toMarketClientError', () => {
  it('recovers the chaincode code, message and details from an endorsement failure', () => {
    const err = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx1',
      message: '10 ABORTED: failed to endorse transaction',
      details: [
        {
          address: '127.0.0.1:7051',
          mspId: 'OperatorMSP',
          message:
            'chaincode response 500, FORBIDDEN: only OperatorMSP may open a round {"caller":"Utility1MSP"}',
        },
      ],
    });
    const e = toMarketClientError(err);
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toBe('FORBIDDEN: only OperatorMSP may open a round');
    expect(e.details).toEqual({ caller: 'Utility1MSP' });
    expect(e.transactionId).toBe('tx1');
    expect(e.retryable).toBe(false);
  });

  it('maps an endorsement that failed because the chaincode server is down to retryable UNAVAILABLE', () => {
    const err = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx9',
      message: '10 ABORTED: failed to collect enough transaction endorsements',
      details: [
        {
          address: '127.0.0.1:7200',
          mspId: 'OperatorMSP',
          message:
            'error in simulation: failed to execute transaction tx9: could not launch chaincode market_1.0:abc: ' +
            'connection to market_1.0:abc failed: error creating grpc connection to 127.0.0.1:7203',
        },
      ],
    });
    const e = toMarketClientError(err);
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.fate.mayHaveCommitted).toBe(false);
    expect(e.message).toContain('could not launch chaincode');
  });

  it('maps a proposal in flight when the chaincode server died (stream terminated) to retryable UNAVAILABLE', () => {
    // Seen in the fault test: the operator's chaincode server killed under REST load.
    const err = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx10',
      message: '10 ABORTED: failed to collect enough transaction endorsements',
      details: [
        {
          address: '127.0.0.1:7200',
          mspId: 'OperatorMSP',
          message:
            'error in simulation: failed to execute transaction tx10: error sending: chaincode stream terminated',
        },
      ],
    });
    const e = toMarketClientError(err);
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.fate.mayHaveCommitted).toBe(false);
  });

  it('marks an unreachable peer as retryable UNAVAILABLE and keeps the peer details', () => {
    const err = new EndorseError({
      code: 14,
      cause,
      transactionId: 'tx2',
      message: '14 UNAVAILABLE: connection refused',
      details: [{ address: '127.0.0.1:9051', mspId: 'Utility1MSP', message: 'connection refused' }],
    });
    const e = toMarketClientError(err);
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('Utility1MSP@127.0.0.1:9051');
  });

  it('marks endorsers that disagree (one peer behind) as retryable ENDORSEMENT_MISMATCH', () => {
    const err = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx3',
      message: '10 ABORTED: failed to collect enough transaction endorsements',
      details: [
        { address: '127.0.0.1:7200', mspId: 'OperatorMSP', message: 'ProposalResponsePayloads do not match' },
      ],
    });
    const e = toMarketClientError(err);
    expect(e.code).toBe('ENDORSEMENT_MISMATCH');
    expect(e.retryable).toBe(true);
  });

  it('names a certificate the peers refuse (revoked at its CA) IDENTITY_REFUSED, not retryable', () => {
    const denied = 'error validating proposal: access denied: channel [energy] creator org [Utility1MSP]';
    const err = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx4',
      message: '10 ABORTED: failed to collect enough transaction endorsements',
      details: [
        { address: '127.0.0.1:7210', mspId: 'Utility1MSP', message: denied },
        {
          address: '127.0.0.1:7200',
          mspId: 'OperatorMSP',
          message: `rpc error: code = Unknown desc = ${denied}`,
        },
      ],
    });
    const e = toMarketClientError(err);
    expect(e.code).toBe('IDENTITY_REFUSED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('revoked');
    expect(e.message).toContain('Utility1MSP@127.0.0.1:7210');
    expect(e.fate.mayHaveReachedOrderer).toBe(false);
  });

  it('wraps anything else as UNKNOWN with its text', () => {
    const e = toMarketClientError(new Error('boom'));
    expect(e.code).toBe('UNKNOWN');
    expect(e.message).toBe('boom');
  });
});

describe('toMarketClientError: whether the transaction may have reached the orderer', () => {
  const props = (code: number, message: string, details: { message: string }[] = []) => ({
    code,
    cause,
    transactionId: 'tx9',
    message,
    details: details.map((d) => ({ address: '127.0.0.1:7050', mspId: 'OrdererMSP', ...d })),
  });

  it('endorsement failures never reached an orderer, whatever the gRPC code', () => {
    for (const code of [4, 10, 14]) {
      const e = toMarketClientError(new EndorseError(props(code, `${code} failed to endorse`)));
      expect(e.fate).toEqual({ stage: 'endorse', mayHaveReachedOrderer: false, mayHaveCommitted: false });
      expect(e.transactionId).toBe('tx9');
    }
    // no chaincode code in an ABORTED endorsement: a 502, but certainly not committed
    const e = toMarketClientError(new EndorseError(props(10, '10 ABORTED: failed to endorse transaction')));
    expect(e.code).toBe('UNKNOWN');
    expect(e.mayHaveCommitted).toBe(false);
  });

  it('a submit the ordering service refused did not reach it; a submit deadline may have', () => {
    const refused = toMarketClientError(
      new SubmitError(
        props(10, '10 ABORTED: received unsuccessful response from orderer: status=BAD_REQUEST'),
      ),
    );
    expect(refused.fate).toEqual({ stage: 'submit', mayHaveReachedOrderer: false, mayHaveCommitted: false });
    expect(refused.retryable).toBe(false);
    const allRefused = toMarketClientError(
      new SubmitError(props(14, '14 UNAVAILABLE: no orderers could successfully process transaction')),
    );
    expect(allRefused.mayHaveReachedOrderer).toBe(false);
    expect(allRefused.retryable).toBe(true);
    const unreachable = toMarketClientError(
      new SubmitError(
        props(14, '14 UNAVAILABLE: no orderers could successfully process transaction', [
          {
            message:
              'rpc error: code = Unavailable desc = connection error: dial tcp: connect: connection refused',
          },
        ]),
      ),
    );
    expect(unreachable.mayHaveReachedOrderer).toBe(false);
    const lostStream = toMarketClientError(
      new SubmitError(
        props(14, '14 UNAVAILABLE: no orderers could successfully process transaction', [
          { message: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded' },
        ]),
      ),
    );
    expect(lostStream.mayHaveCommitted).toBe(true);
    const deadline = toMarketClientError(new SubmitError(props(4, '4 DEADLINE_EXCEEDED: Deadline exceeded')));
    expect(deadline.fate).toEqual({ stage: 'submit', mayHaveReachedOrderer: true, mayHaveCommitted: true });
    expect(deadline.code).toBe('UNAVAILABLE');
    expect(deadline.retryable).toBe(true);
    expect(deadline.transactionId).toBe('tx9');
  });

  it('a lost commit status leaves the outcome unknown; an invalid commit status is known', () => {
    const lost = toMarketClientError(
      new CommitStatusError(props(4, '4 DEADLINE_EXCEEDED: Deadline exceeded')),
    );
    expect(lost.fate).toEqual({
      stage: 'commit-status',
      mayHaveReachedOrderer: true,
      mayHaveCommitted: true,
    });
    expect(lost.transactionId).toBe('tx9');
    const invalid = toMarketClientError(
      new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 'tx8', message: 'invalid' }),
    );
    expect(invalid.code).toBe('COMMIT_FAILED');
    expect(invalid.message).toContain('MVCC_READ_CONFLICT');
    expect(invalid.fate).toEqual({ stage: 'commit', mayHaveReachedOrderer: true, mayHaveCommitted: false });
  });

  it('an evaluate error leaves nothing behind; an unrecognised error of a submit may', () => {
    const evaluate = toMarketClientError(
      new GatewayError({
        code: 14,
        cause,
        details: [],
        message: '14 UNAVAILABLE: No connection established',
      }),
      'evaluate',
    );
    expect(evaluate.code).toBe('UNAVAILABLE');
    expect(evaluate.mayHaveCommitted).toBe(false);
    expect(toMarketClientError(new Error('No result returned')).mayHaveCommitted).toBe(true);
    expect(toMarketClientError(new Error('No result returned'), 'evaluate').mayHaveCommitted).toBe(false);
  });
});
