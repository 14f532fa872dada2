/**
 * Chaincode-as-a-service packages, built byte-for-byte deterministically (fixed mtime, owner and
 * mode, entries in a fixed order), so the same connection.json always gives the same package id.
 *
 * A ccaas package is a tar.gz with exactly two entries:
 *   metadata.json  {"type":"ccaas","label":"market_1.0"}
 *   code.tar.gz    a tar.gz holding connection.json (where the peer reaches the chaincode server)
 * Its package id is `<label>:<sha256 of the package bytes>`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface ConnectionJson {
  /** host:port of the chaincode server, as the peer dials it. */
  address: string;
  dial_timeout: string;
  tls_required: boolean;
  /** PEM of the CA that issued the chaincode server's TLS certificate (when tls_required). */
  root_cert?: string;
  client_auth_required?: boolean;
}

function octal(value: number, width: number): string {
  // width - 1 octal digits then NUL, as tar expects.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One regular-file entry of a POSIX ustar archive. */
function tarEntry(name: string, data: Buffer): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 'utf8');
  header.write(octal(0o644, 8), 100, 'ascii'); // mode
  header.write(octal(0, 8), 108, 'ascii'); // uid
  header.write(octal(0, 8), 116, 'ascii'); // gid
  header.write(octal(data.length, 12), 124, 'ascii'); // size
  header.write(octal(0, 12), 136, 'ascii'); // mtime: 1970, for determinism
  header.write('        ', 148, 'ascii'); // checksum placeholder (8 spaces)
  header.write('0', 156, 'ascii'); // typeflag: regular file
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  return Buffer.concat([header, data, padding]);
}

/** A gzip-compressed tar of `files` (in the given order). */
export function tarGz(files: [name: string, data: Buffer][]): Buffer {
  const body = files.map(([name, data]) => tarEntry(name, data));
  return gzipSync(Buffer.concat([...body, Buffer.alloc(1024, 0)]), { level: 9 });
}

/** The ccaas package bytes for one chaincode server. */
export function ccaasPackage(label: string, connection: ConnectionJson): Buffer {
  const code = tarGz([['connection.json', Buffer.from(JSON.stringify(connection, null, 2) + '\n')]]);
  const metadata = Buffer.from(JSON.stringify({ type: 'ccaas', label }));
  return tarGz([
    ['metadata.json', metadata],
    ['code.tar.gz', code],
  ]);
}

/** Fabric's package id: label + ':' + hex SHA-256 of the package file. */
export function packageId(label: string, packageBytes: Buffer): string {
  return `${label}:${createHash('sha256').update(packageBytes).digest('hex')}`;
}
