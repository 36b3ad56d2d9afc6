/**
 * @module http/paging
 * Pagination as porta's collection endpoints do it: `page` and `per_page` read leniently, one page of the
 * items, and the paging metadata only when one page does not hold everything.
 */
import type { PageMeta } from '../represent/representation.js';
import { paramString, type Params } from './params.js';

/** `per_page` default and maximum of most collections (spec: "Default and max is 500"). */
export const MAX_PER_PAGE = 500;

/**
 * A paging parameter as porta's pagination filter reads it: an integer within range, else the default —
 * silently, with no error, so `per_page=1000` gives 500 items, not 1000.
 */
export function pagingValue(raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return fallback;
  const value = Number(raw.trim());
  return value >= 1 && value <= max ? value : fallback;
}

/** The page of `all` that `page` and `per_page` ask for (`per_page` defaults to and is at most `maxPerPage`). */
export function pageOf<T>(
  all: readonly T[],
  params: Params,
  maxPerPage = MAX_PER_PAGE,
): { items: readonly T[]; meta: PageMeta | undefined } {
  const page = pagingValue(paramString(params, 'page'), 1);
  const perPage = pagingValue(paramString(params, 'per_page'), maxPerPage, maxPerPage);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const meta =
    perPage < all.length
      ? {
          per_page: perPage,
          total_entries: all.length,
          total_pages: Math.ceil(all.length / perPage),
          current_page: page,
        }
      : undefined;
  return { items, meta };
}
