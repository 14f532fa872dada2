import type { Contract } from '@hyperledger/fabric-gateway';
import { canonicalJson } from '../../../engine/src/mechanism';
import { sha256Hex } from '../../../chaincode/src/codec';
import { MarketClient, MarketClientError } from '../../../fabric-client/src/market-client';

/** A contract that records what would be sent to the peers and answers `{}`. */
function recordingContract() {
  const sent: { name: string; options: unknown }[] = [];
  const contract = {
    submit: (name: string, options: unknown) => {
      sent.push({ name, options });
      return Promise.resolve(new TextEncoder().encode('{}'));
    },
  };
  return { sent, contract: contract as unknown as Contract };
}

describe('MarketClient.commitClearing', () => {
  const result = { price: '14.1', buyers: [{ id: 'abc.0000', quantity: '1.475', payment: '20.7975' }] };

  it('sends only the digest, endorsed by the operator', async () => {
    const { sent, contract } = recordingContract();
    const digest = sha256Hex(canonicalJson(result));
    await new MarketClient(contract, 'OperatorMSP').commitClearing('r1', digest);
    expect(sent).toEqual([
      {
        name: 'CommitClearing',
        options: { arguments: ['r1', digest], endorsingOrganizations: ['OperatorMSP'] },
      },
    ]);
  });

  it('refuses anything but a SHA-256 hex digest before sending, without echoing it', async () => {
    const { sent, contract } = recordingContract();
    const client = new MarketClient(contract, 'OperatorMSP');
    const whole = canonicalJson(result);
    for (const arg of [whole, sha256Hex(whole).toUpperCase(), '']) {
      const err = await client.commitClearing('r1', arg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MarketClientError);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { roundId: 'r1', length: arg.length } });
      expect((err as Error).message).not.toContain('1.475');
    }
    expect(sent).toEqual([]);
  });
});
