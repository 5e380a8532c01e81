import type { Page } from '@payrail/core';

/**
 * A cursor-paginated list answer: `{ object: "list", data, has_more, next_cursor? }`. `next_cursor` is
 * the last item's id, which the client sends back as `starting_after` for the next page.
 */
export function listPage<T, R extends { id: string }>(page: Page<T>, toResource: (item: T) => R) {
  const data = page.data.map(toResource);
  const last = data.at(-1);
  return {
    object: 'list' as const,
    data,
    has_more: page.hasMore,
    ...(page.hasMore && last ? { next_cursor: last.id } : {}),
  };
}
