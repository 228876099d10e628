import { ValidationError } from "../errors.js";
import type { PageOptions } from "../store.js";
import type { Page } from "../types.js";

/**
 * The page of `rows` (already ordered, at most `limit + 1` of them: one more than asked tells
 * whether another page follows, without a count).
 */
export function toPage<T extends { id: string }>(rows: T[], options: PageOptions): Page<T> {
  const data = rows.slice(0, options.limit);
  const last = data.at(-1);
  const more = rows.length > options.limit && last !== undefined;
  return { data, has_more: more, ...(more ? { after: last.id } : {}) };
}

/** The refusal of an `after` that names no entry of the listing. */
export function unknownCursor(): ValidationError {
  return new ValidationError([
    { field: "params.after", message: "Is not the id of an entry of this listing." },
  ]);
}
