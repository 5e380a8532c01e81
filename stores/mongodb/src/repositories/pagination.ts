/** The port allows 1–100 items per page; the server validates, the store still refuses to load a collection. */
export const clampLimit = (limit: number): number => Math.min(Math.max(Math.trunc(limit) || 1, 1), 100);
