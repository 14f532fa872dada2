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

/** The envelopes of a serialized common.Block (data = 2 → data = 1, repeated), in block order. */
function envelopesOf(block: Uint8Array): Uint8Array[] {
  const data = sub(block, 2);
  if (!data) return [];
  return protoFields(data)
    .filter((f) => f.no === 1)
    .map((f) => f.bytes!);
}

/** An envelope's Header: its channel header (with tx_id = 5) and signature header (creator = 1). */
function headersOf(envelope: Uint8Array): { channel?: Uint8Array; signature?: Uint8Array } {
  const payload = sub(envelope, 1);
  const header = payload && sub(payload, 1);
  return header ? { channel: sub(header, 1), signature: sub(header, 2) } : {};
}

const utf8 = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

/** The tx_id of every envelope of a serialized common.Block, in block order. */
export function blockTxIds(block: Uint8Array): string[] {
  return envelopesOf(block).flatMap((env) => {
    const { channel } = headersOf(env);
    const txId = channel && sub(channel, 5);
    return txId ? [utf8(txId)] : [];
  });
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
  return envelopesOf(block).flatMap((env) => {
    const { channel, signature } = headersOf(env);
    const txId = channel && sub(channel, 5);
    const creator = signature && sub(signature, 1);
    if (!txId || !creator) return [];
    return [{ txId: utf8(txId), mspId: utf8(sub(creator, 1)), certPem: utf8(sub(creator, 2)), bytes: env }];
  });
}

/** BlockchainInfo.height (qscc GetChainInfo). */
export function chainHeight(info: Uint8Array): bigint {
  return protoFields(info).find((f) => f.no === 1)?.varint ?? 0n;
}
