/**
 * Paging by `limit` and `cursor` (an opaque position this API returned as `nextCursor`), shared by
 * every paged list of the API: account entries, a utility's bids.
 */
import { Type, type TOptional, type TString } from '@sinclair/typebox';
import { ApiProblem } from './problem';

/** The query string fields; strings, since the app does not coerce query strings. */
export const pageQueryProps = (
  what: string,
  defaultLimit: number | 'all',
): { limit: TOptional<TString>; cursor: TOptional<TString> } => ({
  limit: Type.Optional(
    Type.String({
      pattern: '^([1-9][0-9]{0,2}|1000)$',
      description: `${what} per page, 1-1000 (default ${defaultLimit})`,
    }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 12, description: 'nextCursor of the previous page' })),
});

export interface PageParams {
  /** decimal 1-1000 (the route's schema checked it) */
  limit?: string;
  cursor?: string;
}

function cursorIndex(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (!/^[0-9]{1,9}$/.test(cursor)) {
    throw new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', 'bad cursor', [
      { path: 'querystring/cursor', field: 'cursor', reason: 'not a cursor this API returned' },
    ]);
  }
  return Number(cursor);
}

/** One page of `all`, and the cursor of the next while more remain. */
export function pageOf<T>(
  all: readonly T[],
  q: PageParams,
  defaultLimit: number,
): { items: T[]; nextCursor?: string } {
  const start = cursorIndex(q.cursor);
  const limit = q.limit === undefined ? defaultLimit : Number(q.limit);
  const items = all.slice(start, start + limit);
  return start + limit < all.length ? { items, nextCursor: String(start + limit) } : { items };
}
