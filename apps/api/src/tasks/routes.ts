import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { jsonBody } from "../json-body.js";
import { type AppEnv, PRIVATE_NO_CACHE } from "../middleware.js";
import { validationHook } from "../validation.js";
import { PreconditionFailedError } from "./errors.js";
import { etagOf, type Precondition, type Task, type TaskStore, toTaskJson } from "./model.js";
import {
  ListQuerySchema,
  NewTaskSchema,
  ProblemSchema,
  TaskIdParams,
  TaskPageSchema,
  TaskPatchSchema,
  TaskSchema,
} from "./schemas.js";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});
const common = {
  401: problem("No valid bearer token (`ERR_TOKEN_MISSING`, `ERR_TOKEN_INVALID`)."),
  403: problem("The token names no tenant (`ERR_TENANT_MISSING`)."),
  503: problem("The signing keys cannot be fetched (`ERR_AUTH_UNAVAILABLE`)."),
};
/** What a route that reads a JSON body may answer about it (see `jsonBody` and the schemas). */
const bodyProblems = {
  400: problem("The body is not a JSON object (`ERR_BAD_REQUEST`)."),
  413: problem("The body is over 64 KiB (`ERR_PAYLOAD_TOO_LARGE`)."),
  415: problem("The body is not JSON (`ERR_UNSUPPORTED_MEDIA_TYPE`)."),
  422: problem("A field is invalid (`ERR_VALIDATION`); `errors` names each."),
};
const cacheHeader = {
  "Cache-Control": {
    description: "`private, no-cache`: tenant data, kept out of shared caches and revalidated.",
    schema: { type: "string" as const },
  },
};
const etagHeader = {
  ETag: { description: 'The task\'s version, `"<version>"`.', schema: { type: "string" as const } },
  ...cacheHeader,
};
const ifMatch = z.object({
  "if-match": z
    .string()
    .optional()
    .openapi({
      param: { name: "if-match", in: "header" },
      description: "Apply only if the task still has one of these ETags; else 412.",
    }),
});
const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});
const security = [{ bearerAuth: [] }];
const tags = ["tasks"];

/** What the routes need. */
export interface TaskRoutesOptions {
  store: TaskStore;
}

/**
 * The tasks resource, mounted at `/api/tasks` behind `authenticate`: list (status filter, cursor
 * pagination), create (201 + Location), read (ETag, If-None-Match), change and delete (If-Match
 * → 412). Every call is scoped by the caller's tenant; another tenant's task answers 404. Every
 * answer holding tasks, the 304 included, is `Cache-Control: private, no-cache`.
 *
 * @example
 * ```ts
 * app.route("/api/tasks", taskRoutes({ store }));
 * ```
 */
export function taskRoutes({ store }: TaskRoutesOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("*", jsonBody());
  const scope = (principal: AppEnv["Variables"]["principal"]) => ({
    tenantId: principal.tenantId,
    userId: principal.userId,
  });
  /** The caller's scope and the storage precondition of an `If-Match` change to task `id`. */
  const guarded = async (
    principal: AppEnv["Variables"]["principal"],
    id: string,
    headers: { "if-match"?: string | undefined },
  ) => {
    const who = scope(principal);
    return {
      who,
      precondition: await preconditionOf(headers["if-match"], () => store.get(who, id)),
    };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      security,
      summary: "List tasks, newest first",
      request: { query: ListQuerySchema },
      responses: {
        200: {
          description: 'One page. `Link: <…>; rel="next"` points at the next page.',
          headers: cacheHeader,
          content: { "application/json": { schema: TaskPageSchema } },
        },
        422: problem("A query parameter is invalid (`ERR_VALIDATION`)."),
        ...common,
      },
    }),
    async (c) => {
      const { status, limit, cursor } = c.req.valid("query");
      const page = await store.list(scope(c.get("principal")), { status, limit, cursor });
      if (page.nextCursor !== null) {
        const next = new URL(c.req.url);
        next.searchParams.set("cursor", page.nextCursor);
        // A query-only relative reference (RFC 3986 §5.2.2): it resolves against whatever URL
        // the client used, so it stays right behind a proxy that mounts the API elsewhere.
        c.header("link", `<${next.search}>; rel="next"`);
      }
      c.header("cache-control", PRIVATE_NO_CACHE);
      return c.json({ items: page.items.map(toTaskJson), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      security,
      summary: "Create a task",
      request: { body: json(NewTaskSchema) },
      responses: {
        201: {
          description: "Created. `Location` is the new task's URL.",
          headers: {
            ...etagHeader,
            Location: { description: "`/api/tasks/{id}`", schema: { type: "string" } },
          },
          content: { "application/json": { schema: TaskSchema } },
        },
        ...bodyProblems,
        ...common,
      },
    }),
    async (c) => {
      const task = await store.create(scope(c.get("principal")), c.req.valid("json"));
      c.header("location", `${c.req.path.replace(/\/$/, "")}/${task.id}`);
      c.header("etag", etagOf(task));
      c.header("cache-control", PRIVATE_NO_CACHE);
      return c.json(toTaskJson(task), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      security,
      summary: "Read a task",
      request: {
        params: TaskIdParams,
        headers: z.object({
          "if-none-match": z
            .string()
            .optional()
            .openapi({
              param: { name: "if-none-match", in: "header" },
              description: "Answer 304 without a body if the task still has this ETag.",
            }),
        }),
      },
      responses: {
        200: {
          description: "The task.",
          headers: etagHeader,
          content: { "application/json": { schema: TaskSchema } },
        },
        304: { description: "Unchanged since the ETag in `If-None-Match`.", headers: etagHeader },
        404: problem("No such task in your tenant (`ERR_NOT_FOUND`)."),
        ...common,
      },
    }),
    async (c) => {
      const task = await store.get(scope(c.get("principal")), c.req.valid("param").id);
      const ifNoneMatch = c.req.valid("header")["if-none-match"];
      // RFC 9110 §13.1.2: weak comparison, and `*` matches any current representation.
      // A 304 carries the Cache-Control the 200 would have (RFC 9110 §15.4.5).
      const headers = { etag: etagOf(task), "cache-control": PRIVATE_NO_CACHE };
      if (ifNoneMatch !== undefined && matchesAny(ifNoneMatch, task)) {
        return new Response(null, { status: 304, headers });
      }
      return c.json(toTaskJson(task), 200, headers);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags,
      security,
      summary: "Change a task",
      description: "Sets the given fields; absent fields keep their value.",
      request: { params: TaskIdParams, headers: ifMatch, body: json(TaskPatchSchema) },
      responses: {
        200: {
          description: "The changed task.",
          headers: etagHeader,
          content: { "application/json": { schema: TaskSchema } },
        },
        404: problem("No such task in your tenant (`ERR_NOT_FOUND`)."),
        412: problem(
          "`If-Match` names an old version (`ERR_PRECONDITION_FAILED`); `ETag` is the current one.",
        ),
        ...bodyProblems,
        ...common,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { who, precondition } = await guarded(c.get("principal"), id, c.req.valid("header"));
      const task = await store.update(who, id, c.req.valid("json"), precondition);
      c.header("etag", etagOf(task));
      c.header("cache-control", PRIVATE_NO_CACHE);
      return c.json(toTaskJson(task), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      security,
      summary: "Delete a task",
      request: { params: TaskIdParams, headers: ifMatch },
      responses: {
        204: { description: "Deleted." },
        404: problem("No such task in your tenant (`ERR_NOT_FOUND`)."),
        412: problem("`If-Match` names an old version (`ERR_PRECONDITION_FAILED`)."),
        ...common,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { who, precondition } = await guarded(c.get("principal"), id, c.req.valid("header"));
      await store.delete(who, id, precondition);
      return c.body(null, 204);
    },
  );

  return app;
}

/**
 * Turns `If-Match` into a storage precondition (RFC 9110 §13.1.1): `*` only requires that the
 * task exists (the store answers 404 otherwise); a list of strong tags becomes the versions the
 * change may apply to. Weak or malformed tags can never match strongly, so a header holding only
 * those fails at once with 412 — after checking the task exists, so a missing one is still 404.
 */
async function preconditionOf(
  header: string | undefined,
  current: () => Promise<Task>,
): Promise<Precondition | undefined> {
  if (header === undefined || header.trim() === "*") return undefined;
  const versions = entityTags(header).flatMap((tag) => {
    const match = /^"([1-9]\d{0,9})"$/.exec(tag);
    return match === null ? [] : [Number(match[1])];
  });
  if (versions.length === 0) throw new PreconditionFailedError(etagOf(await current()));
  return { versions };
}

/** Weak comparison (RFC 9110 §8.8.3.2), as `If-None-Match` uses. */
function matchesAny(header: string, task: Task): boolean {
  if (header.trim() === "*") return true;
  const ours = etagOf(task);
  return entityTags(header).some((tag) => tag.replace(/^W\//, "") === ours);
}

/** Splits an `If-Match`/`If-None-Match` list; commas may appear only between tags. */
function entityTags(header: string): string[] {
  return [...header.matchAll(/(?:W\/)?"[^"]*"|[^,\s]+/g)].map((match) => match[0]);
}
