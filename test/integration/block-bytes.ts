/**
 * Just enough protobuf to walk Fabric blocks as raw bytes (no dependency on a fabric-protos
 * version): a block's number and the transaction ids of its envelopes, plus a byte search.
 *
 *   Block { header = 1: BlockHeader { number = 1 }, data = 2: BlockData { data = 1 (repeated) } }
 *   Envelope { payload = 1 } → Payload { header = 1 } → Header { channel_header = 1 }
 *   → ChannelHeader { tx_id = 5 }
 */

interface Field {
  no: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let pos = start; pos < buf.length; pos++) {
    const b = buf[pos]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next: pos + 1 };
    shift += 7n;
  }
  throw new Error(`truncated varint at byte ${start} of ${buf.length}`);
}

/** The top-level fields of one protobuf message. */
export function protoFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const key = readVarint(buf, pos);
    const no = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    pos = key.next;
    if (wire === 0) {
      const v = readVarint(buf, pos);
      out.push({ no, varint: v.value });
      pos = v.next;
    } else if (wire === 2) {
      const len = readVarint(buf, pos);
      const end = len.next + Number(len.value);
      if (end > buf.length) throw new Error(`field ${no} runs past the end (${end} > ${buf.length})`);
      out.push({ no, bytes: buf.subarray(len.next, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      out.push({ no });
    } else {
      throw new Error(`unsupported wire type ${wire} of field ${no} at byte ${pos}`);
    }
  }
  return out;
}

const sub = (buf: Uint8Array, no: number): Uint8Array | undefined =>
  protoFields(buf).find((f) => f.no === no)?.bytes;

/** header.number of a serialized common.Block (0 when absent: proto3 default). */
export function blockNumber(block: Uint8Array): bigint {
  const header = sub(block, 1);
  if (!header) throw new Error('block has no header');
  return protoFields(header).find((f) => f.no === 1)?.varint ?? 0n;
}

/** The tx_id of every envelope of a serialized common.Block, in block order. */
export function blockTxIds(block: Uint8Array): string[] {
  const data = sub(block, 2);
  if (!data) return [];
  const ids: string[] = [];
  for (const env of protoFields(data).filter((f) => f.no === 1)) {
    const payload = sub(env.bytes!, 1);
    const header = payload && sub(payload, 1);
    const channelHeader = header && sub(header, 1);
    const txId = channelHeader && sub(channelHeader, 5);
    if (txId) ids.push(Buffer.from(txId).toString('utf8'));
  }
  return ids;
}

export interface Haystack {
  /** where the bytes came from, e.g. "qscc GetBlockByNumber 7" */
  where: string;
  bytes: Uint8Array;
}

export interface Needle {
  /** what the value is, e.g. "Utility2 settlement line payment" */
  what: string;
  value: string | Uint8Array;
}

/** Every (needle, haystack) pair where the needle's bytes occur verbatim in the haystack. */
export function findAll(
  haystacks: readonly Haystack[],
  needles: readonly Needle[],
): { what: string; where: string }[] {
  const hits: { what: string; where: string }[] = [];
  for (const n of needles) {
    const bytes = typeof n.value === 'string' ? Buffer.from(n.value, 'utf8') : Buffer.from(n.value);
    if (bytes.length === 0) throw new Error(`empty needle '${n.what}' would match anything`);
    for (const h of haystacks) {
      if (Buffer.from(h.bytes.buffer, h.bytes.byteOffset, h.bytes.byteLength).includes(bytes)) {
        hits.push({ what: n.what, where: h.where });
      }
    }
  }
  return hits;
}

/** Who signed each envelope of a serialized common.Block: its creator's MSP and certificate. */
export interface EnvelopeCreator {
  txId: string;
  mspId: string;
  /** the creator's id_bytes: a PEM certificate for an X.509 MSP */
  certPem: string;
  /** the envelope's bytes, to search */
  bytes: Uint8Array;
}

/**
 *   Envelope { payload = 1 } → Payload { header = 1 } → Header { channel_header = 1, signature_header = 2 }
 *   → SignatureHeader { creator = 1 } → SerializedIdentity { mspid = 1, id_bytes = 2 }
 */
export function envelopeCreators(block: Uint8Array): EnvelopeCreator[] {
  const data = sub(block, 2);
  if (!data) return [];
  return protoFields(data)
    .filter((f) => f.no === 1)
    .flatMap((env) => {
      const creator = creatorOf(env.bytes!);
      return creator ? [creator] : [];
    });
}

/** One envelope's tx id and creator, if it has both. */
function creatorOf(envelope: Uint8Array): EnvelopeCreator | undefined {
  const payload = sub(envelope, 1);
  const header = payload && sub(payload, 1);
  const channelHeader = header && sub(header, 1);
  const signatureHeader = header && sub(header, 2);
  const txId = channelHeader && sub(channelHeader, 5);
  const creator = signatureHeader && sub(signatureHeader, 1);
  if (!txId || !creator) return undefined;
  const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');
  return { txId: text(txId), mspId: text(sub(creator, 1)), certPem: text(sub(creator, 2)), bytes: envelope };
}

/** BlockchainInfo.height (qscc GetChainInfo). */
export function chainHeight(info: Uint8Array): bigint {
  return protoFields(info).find((f) => f.no === 1)?.varint ?? 0n;
}
