import { EndorseError } from '@hyperledger/fabric-gateway';
import type { ServiceError } from '@grpc/grpc-js';
import { toMarketClientError } from '../../../gateway/src/market/market-client';

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

  it('wraps anything else as UNKNOWN with its text', () => {
    const e = toMarketClientError(new Error('boom'));
    expect(e.code).toBe('UNKNOWN');
    expect(e.message).toBe('boom');
  });
});
