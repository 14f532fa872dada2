/** An expected failure of the CLI (bad input, unreadable file, ...): one message, non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** "ENOENT: no such file or directory, open 'x'" -> "no such file or directory (ENOENT)" */
export function osReason(err: unknown): string {
  // duck-typed: errors from node core may come from another realm (e.g. under jest)
  if (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string') {
    const code = (err as NodeJS.ErrnoException).code;
    let text = (err as Error).message;
    if (code && text.startsWith(`${code}: `)) text = text.slice(code.length + 2);
    const comma = text.lastIndexOf(', ');
    if (code && comma > 0) text = text.slice(0, comma);
    return code ? `${text} (${code})` : text;
  }
  return String(err);
}
