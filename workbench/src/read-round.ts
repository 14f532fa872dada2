/**
 * Reads a round file (JSON or CSV) into a WireRound. Only the file's *shape* is checked here
 * (readable, well-formed JSON/CSV, no property named twice in a JSON object, the right CSV columns,
 * no CSV field padded with spaces); every rule about the bids themselves is the engine's
 * (validateRound), so the CLI and the auctioneer reject exactly the same rounds.
 *
 * The two formats are equally strict: a CSV field is the JSON string value, untrimmed (`b1, buy`
 * is refused as `" buy"` would be in JSON), and the header names are the JSON property names,
 * exactly (lower case). The one difference: an empty alpha cell means no alpha (a CSV row has
 * every column), where JSON omits the property and refuses `"alpha": ""`.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { Side, WireBid, WireRound } from '../../engine/src/mechanism/types';
import { CliError, osReason } from './errors';
import { findDuplicateKey, type DuplicateKey } from '../../engine/src/json/duplicate-key';
import { locateJsonError } from './json-error';
import type { Progress } from './progress';

export type RoundFormat = 'json' | 'csv';
export const ROUND_FORMATS: readonly RoundFormat[] = ['json', 'csv'];

/** CSV columns: the first four are required, in any order. */
const CSV_REQUIRED_COLUMNS = ['id', 'side', 'price', 'quantity'] as const;
const CSV_OPTIONAL_COLUMNS = ['alpha'] as const;

export interface LoadedRound {
  round: WireRound;
  format: RoundFormat;
  /** CSV files: finds the file line of bids by index (for error messages; re-reads the file) */
  locateBids?: (indices: number[]) => Promise<Map<number, number>>;
}

interface ReadOptions {
  /** forces the format; otherwise taken from the extension (.json / .csv) */
  format?: RoundFormat;
  progress?: Progress;
}

/** The path "-" reads standard input (then --format is required). */
export function detectFormat(path: string, forced?: RoundFormat): RoundFormat {
  if (forced) return forced;
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  // the remedy is on the command line (--format): a usage error
  throw new CliError(
    path === '-'
      ? 'reading standard input needs --format json|csv'
      : `cannot tell the format of ${path} from its extension: use --format json|csv`,
    2,
  );
}

/**
 * The size of the file at path (undefined for "-", standard input). Checked before the format, so
 * that a directory or a missing file is named as such rather than as a format problem.
 */
async function inputSize(path: string): Promise<number | undefined> {
  if (path === '-') return undefined;
  let st;
  try {
    st = await fsp.stat(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${osReason(e)}`);
  }
  if (st.isDirectory()) throw new CliError(`cannot read ${path}: is a directory`);
  return st.size;
}

function openInput(
  path: string,
  size: number | undefined,
  progress: Progress | undefined,
  stage: string,
): Readable {
  if (size === undefined) {
    progress?.step(stage);
    return process.stdin;
  }
  const stream = createReadStream(path);
  if (progress) {
    progress.start(stage, size);
    let read = 0;
    stream.on('data', (chunk) => {
      read += chunk.length;
      progress.update(read);
    });
  }
  return stream;
}

function readFailure(path: string, e: unknown): CliError {
  return new CliError(`cannot read ${path === '-' ? 'standard input' : path}: ${osReason(e)}`);
}

export async function readRound(path: string, opts: ReadOptions = {}): Promise<LoadedRound> {
  const size = await inputSize(path);
  const format = detectFormat(path, opts.format);
  const input = openInput(path, size, opts.progress, 'reading');
  return format === 'json'
    ? readJsonRound(path, input, opts.progress)
    : readCsvRound(path, input, opts.progress);
}

async function readJsonRound(path: string, input: Readable, progress?: Progress): Promise<LoadedRound> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of input) chunks.push(chunk as Buffer);
  } catch (e) {
    throw readFailure(path, e);
  }
  let text = Buffer.concat(chunks).toString('utf8');
  chunks.length = 0;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  progress?.step('parsing');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const loc = locateJsonError(text);
    const where = loc
      ? `line ${loc.line}, column ${loc.column} (position ${loc.position}): ${loc.reason}`
      : (e as Error).message;
    throw new CliError(`${path}: invalid JSON at ${where}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) throw new CliError(duplicateKeyMessage(path, duplicate, doc));
  progress?.done();
  return { round: checkRoundShape(path, doc), format: 'json' };
}

/**
 * "r.json: bids[3] (id b3): property "price" appears twice (again at line 5, column 20); each name
 * may appear once in an object (JSON.parse would keep the last)".
 */
function duplicateKeyMessage(path: string, d: DuplicateKey, doc: unknown): string {
  const where = `again at line ${d.line}, column ${d.column}`;
  const rule = 'each name may appear once in an object (JSON.parse would silently keep the last)';
  return `${path}: ${describePath(d.path, doc)}: property ${JSON.stringify(d.key)} appears twice (${where}); ${rule}`;
}

/** "bids[3] (id b3)" for a bid, "params" or "the top level" otherwise (with any deeper path). */
function describePath(path: readonly (string | number)[], doc: unknown): string {
  if (path.length === 0) return 'the top level';
  const [first, second, ...rest] = path;
  const tail = rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  if (first === 'bids' && typeof second === 'number') {
    const bid = isObject(doc) && Array.isArray(doc.bids) ? (doc.bids[second] as unknown) : undefined;
    const id = isObject(bid) && typeof bid.id === 'string' ? ` (id ${bid.id})` : '';
    return `bids[${second}]${id}${tail}`;
  }
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the document's outline only; the bids are validated by the engine. */
function checkRoundShape(path: string, doc: unknown): WireRound {
  if (!isObject(doc)) {
    throw new CliError(`${path}: the top level must be an object {"params": {...}, "bids": [...]}`);
  }
  const unknownKeys = Object.keys(doc).filter((k) => k !== 'params' && k !== 'bids');
  if (unknownKeys.length > 0) {
    throw new CliError(`${path}: unexpected top-level field(s): ${unknownKeys.join(', ')}`);
  }
  if (!Array.isArray(doc.bids)) {
    throw new CliError(`${path}: "bids" must be an array of bids`);
  }
  if (doc.params !== undefined && !isObject(doc.params)) {
    throw new CliError(`${path}: "params" must be an object`);
  }
  return doc as unknown as WireRound;
}

/** Maps header names to column positions; names every missing, unknown or repeated column. */
function checkHeader(path: string, header: string[]): Map<string, number> {
  const allowed = new Set<string>([...CSV_REQUIRED_COLUMNS, ...CSV_OPTIONAL_COLUMNS]);
  const cols = new Map<string, number>();
  const problems: string[] = [];
  header.forEach((name, i) => {
    if (!allowed.has(name)) problems.push(unexpectedColumn(name, allowed));
    else if (cols.has(name)) problems.push(`duplicate column "${name}"`);
    else cols.set(name, i);
  });
  for (const name of CSV_REQUIRED_COLUMNS) {
    if (!cols.has(name)) problems.push(`missing column "${name}"`);
  }
  if (problems.length > 0) {
    throw new CliError(
      `${path}: line 1: bad CSV header (${problems.join('; ')}); expected id,side,price,quantity[,alpha]`,
    );
  }
  return cols;
}

/** Why a header name is not a column, with the near miss it may be (padding, capitals). */
function unexpectedColumn(name: string, allowed: ReadonlySet<string>): string {
  const near = name.trim().toLowerCase();
  if (!allowed.has(near)) return `unexpected column "${name}"`;
  const why = name.trim() === name ? 'column names are lower case' : 'no spaces around a column name';
  return `unexpected column "${name}" (${why}: "${near}")`;
}

/** A field padded with whitespace: refused, as JSON refuses " 20" (the engine never trims). */
class PaddedField extends Error {
  constructor(
    /** the record's bid index (the header is -1) */
    readonly index: number,
    readonly column: string,
    readonly value: string,
  ) {
    super(`padded field ${JSON.stringify(value)}`);
  }
}

const SPACE = /^\s|\s$/;

/** The first field of a record with leading or trailing whitespace, if any. */
function paddedField(
  record: readonly string[],
  header: readonly string[],
  index: number,
): PaddedField | undefined {
  for (let i = 0; i < record.length; i++) {
    const v = record[i] as string;
    if (v !== '' && SPACE.test(v)) return new PaddedField(index, header[i] ?? '', v);
  }
  return undefined;
}

/** 'line 4, column "price": " 20" ...' (the line when the file can be re-read). */
async function paddedFieldFailure(path: string, p: PaddedField): Promise<CliError> {
  const lines = path === '-' ? undefined : await csvBidLines(path, [p.index]);
  const line = lines?.get(p.index);
  const where = line === undefined ? `bids[${p.index}]` : `line ${line}`;
  return new CliError(
    `${path}: ${where}, column "${p.column}": ${JSON.stringify(p.value)} has leading or trailing ` +
      `whitespace; fields are taken as they are, as in JSON round files: write ${JSON.stringify(p.value.trim())}`,
  );
}

/** The record's field of a required column. */
function column(record: string[], cols: Map<string, number>, name: string): string {
  return record[cols.get(name) ?? 0] ?? '';
}

/**
 * A data record as a wire bid (its fields are checked by the engine); an empty alpha is none.
 * Called once per record: plain functions, no closures.
 */
function bidFromRecord(record: string[], cols: Map<string, number>): WireBid {
  const bid: WireBid = {
    id: column(record, cols, 'id'),
    side: column(record, cols, 'side') as Side,
    price: column(record, cols, 'price'),
    quantity: column(record, cols, 'quantity'),
  };
  const a = cols.get('alpha');
  const alpha = a === undefined ? '' : (record[a] ?? '');
  if (alpha !== '') bid.alpha = alpha;
  return bid;
}

const csvOptions = {
  bom: true,
  // no trim: a field is the value, as a JSON string is (padded fields are refused, see paddedField)
  skip_empty_lines: true,
  // a file may mix line endings (e.g. a CRLF header on LF data)
  record_delimiter: ['\r\n', '\n', '\r'],
};

async function readCsvRound(path: string, input: Readable, progress?: Progress): Promise<LoadedRound> {
  let bids: WireBid[];
  try {
    bids = await parseCsvBids(path, input);
  } catch (e) {
    throw e instanceof PaddedField ? await paddedFieldFailure(path, e) : e;
  }
  progress?.done();
  const loaded: LoadedRound = { round: { bids }, format: 'csv' };
  if (path !== '-') loaded.locateBids = (indices) => csvBidLines(path, indices);
  return loaded;
}

/** The bids of a CSV stream; rejects with a CliError, or a PaddedField for the caller to locate. */
async function parseCsvBids(path: string, input: Readable): Promise<WireBid[]> {
  // every record must have as many fields as the header (csv-parse checks, naming the line)
  const parser = parse({ ...csvOptions, relax_column_count: false });
  const bids: WireBid[] = [];
  let header: string[] | undefined;
  let cols = new Map<string, number>();

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      input.unpipe(parser);
      if (input !== process.stdin) input.destroy();
      parser.destroy();
      if (e instanceof CliError || e instanceof PaddedField) reject(e);
      else if (e instanceof CsvError) reject(csvFailure(path, e, header));
      else reject(readFailure(path, e));
    };
    input.on('error', fail);
    parser.on('error', fail);
    parser.on('data', (record: string[]) => {
      if (failed) return;
      if (header) {
        const padded = paddedField(record, header, bids.length);
        if (padded) fail(padded);
        else bids.push(bidFromRecord(record, cols));
        return;
      }
      try {
        cols = checkHeader(path, record);
        header = record;
      } catch (e) {
        fail(e);
      }
    });
    parser.on('end', () => {
      if (!failed) resolve();
    });
    input.pipe(parser);
  });
  if (!header)
    throw new CliError(`${path}: empty CSV file: expected a header id,side,price,quantity[,alpha]`);
  return bids;
}

function csvFailure(path: string, e: CsvError, header: string[] | undefined): CliError {
  if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && header) {
    const got = Array.isArray(e.record) ? (e.record as unknown[]).length : '?';
    return new CliError(
      `${path}: line ${String(e.lines)}: expected ${header.length} fields (${header.join(',')}), got ${got}`,
    );
  }
  return new CliError(`${path}: invalid CSV: ${e.message}`);
}

/**
 * The file lines of some bids (by index in round.bids), found by parsing the file again with line
 * tracking — which halves parsing speed, so it is only done to explain a rejected round.
 */
async function csvBidLines(path: string, indices: number[]): Promise<Map<number, number>> {
  const wanted = new Set(indices);
  const found = new Map<number, number>();
  if (wanted.size === 0) return found;
  const last = Math.max(...wanted);
  const input = createReadStream(path);
  const parser = parse({ ...csvOptions, relax_column_count: true, info: true });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let index = -1; // the header is record -1
  try {
    for await (const item of parser) {
      if (wanted.has(index)) found.set(index, (item as { info: { lines: number } }).info.lines);
      if (++index > last) break;
    }
  } catch {
    // best effort: the caller still has the bid index and id
  } finally {
    input.destroy();
  }
  return found;
}
