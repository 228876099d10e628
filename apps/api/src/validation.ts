import type { OpenAPIHonoOptions, z } from "@hono/zod-openapi";
import { type FieldError, ValidationError } from "./errors.js";
import type { AppEnv } from "./middleware.js";

/**
 * The `defaultHook` of every OpenAPI route: a failed zod check becomes a 422 problem+json that
 * names each field (`title`, `status`, `limit`; an unknown body field by its own name), instead
 * of zod-validator's default 400 with zod's raw issue list.
 *
 * @example
 * ```ts
 * const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
 * ```
 */
export const validationHook: NonNullable<OpenAPIHonoOptions<AppEnv>["defaultHook"]> = (result) => {
  if (!result.success) throw new ValidationError(fieldErrors(result.error));
};

/** One entry per rejected field, in the order zod found them. */
function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: [...issue.path, key].join("."),
        message: "Is not a known field.",
      }));
    }
    return [{ field: issue.path.map(String).join(".") || "body", message: issue.message }];
  });
}
