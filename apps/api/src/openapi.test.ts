import { z } from "@hono/zod-openapi";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatBodySchema, MESSAGE_MAX, SESSION_ID_MAX } from "./agent/index.js";
import { type Client, JSON_HEADERS, type Json, startTestApi, type TestApi } from "./testing/api.js";

let api: TestApi;
let alice: Client;
let document: Json;
let ajv: Ajv2020;

beforeAll(async () => {
  api = await startTestApi("pglite");
  alice = await api.as("tenant_a", "alice");
  const response = await api.anonymous("/openapi.json");
  expect(response.status).toBe(200);
  document = await response.json();
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; `example` and friends are annotations.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, "openapi.json");
});
afterAll(() => api?.close());

/** Validates a real response body against the schema the document declares for it. */
const conforms = (
  body: unknown,
  path: string,
  method: string,
  status: number,
  type = "application/json",
) => {
  const pointer = `openapi.json#/paths/${path.replaceAll("/", "~1")}/${method}/responses/${status}/content/${type.replace("/", "~1")}/schema`;
  const validate = ajv.getSchema(pointer);
  expect(validate, pointer).toBeDefined();
  const valid = validate?.(body);
  expect(validate?.errors ?? [], JSON.stringify(body)).toEqual([]);
  expect(valid).toBe(true);
};

/** The validator of the JSON request body the document declares for an operation. */
const requestBody = (path: string, method: string) => {
  const pointer = `openapi.json#/paths/${path.replaceAll("/", "~1")}/${method}/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  expect(validate, pointer).toBeDefined();
  return (body: unknown) => validate?.(body) === true;
};

/**
 * A schema's assertions in one spelling: annotations dropped (they say nothing about what is
 * valid), and `anyOf: [{ type: T, … }, { type: "null" }]` written `type: [T, "null"]`, as the
 * OpenAPI generator writes a nullable type.
 */
const assertions = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(assertions);
  if (typeof schema !== "object" || schema === null) return schema;
  const { anyOf, ...rest } = schema as { anyOf?: unknown[] };
  const [first, second, ...more] = anyOf ?? [];
  const nullable =
    more.length === 0 &&
    typeof (first as { type?: unknown })?.type === "string" &&
    JSON.stringify(second) === '{"type":"null"}';
  const spelled = nullable
    ? { ...rest, ...(first as object), type: [(first as { type: string }).type, "null"] }
    : schema;
  const annotations = new Set(["$schema", "description", "example", "examples", "title"]);
  return Object.fromEntries(
    Object.entries(spelled)
      .filter(([key]) => !annotations.has(key))
      .map(([key, value]) => [
        key,
        key === "properties" ? mapValues(value, assertions) : assertions(value),
      ]),
  );
};
const mapValues = (object: object, map: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)]));

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document, served without a token", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.title).toBe("TaskFlow API");
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
  });

  it("describes every task operation, protected by the bearer scheme", () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        "GET /health",
        "GET /api/me",
        "GET /api/tasks",
        "GET /api/tasks/events",
        "POST /api/tasks",
        "GET /api/tasks/{id}",
        "PATCH /api/tasks/{id}",
        "DELETE /api/tasks/{id}",
        "GET /v1/agent/health",
        "POST /v1/agent/session",
        "POST /v1/agent/chat",
        "POST /mcp",
        "POST /chatkit",
      ]),
    );
    for (const method of ["get", "post"]) {
      expect(document.paths["/api/tasks"][method].security).toEqual([{ bearerAuth: [] }]);
    }
    const post = document.paths["/api/tasks"].post;
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(["201", "401", "415", "422"]),
    );
    expect(document.paths["/api/tasks/{id}"].patch.responses).toHaveProperty("412");
  });

  it("declares the limits the API enforces", () => {
    const { NewTask } = document.components.schemas;
    expect(NewTask.required).toEqual(["title"]);
    expect(NewTask.properties.title.maxLength).toBe(200);
    expect(NewTask.properties.notes.maxLength).toBe(10_000);
    expect(NewTask.additionalProperties).toBe(false);
  });

  it("matches what the API actually answers", async () => {
    const created = await alice("/api/tasks", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ title: "Conform" }),
    });
    const task = await created.json();
    conforms(task, "/api/tasks", "post", 201);
    conforms(await (await alice(`/api/tasks/${task.id}`)).json(), "/api/tasks/{id}", "get", 200);
    conforms(await (await alice("/api/tasks?limit=1")).json(), "/api/tasks", "get", 200);
    const changed = await alice(`/api/tasks/${task.id}`, {
      method: "PATCH",
      headers: JSON_HEADERS,
      body: JSON.stringify({ status: "done" }),
    });
    conforms(await changed.json(), "/api/tasks/{id}", "patch", 200);
    const invalid = await alice("/api/tasks", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ title: "" }),
    });
    conforms(await invalid.json(), "/api/tasks", "post", 422, "application/problem+json");
    conforms(await (await alice("/api/me")).json(), "/api/me", "get", 200);
  });

  it("would catch a response that breaks the schema", () => {
    expect(() => conforms({ id: "x" }, "/api/tasks/{id}", "get", 200)).toThrow();
  });

  describe("POST /v1/agent/chat", () => {
    const chatBody = () => {
      const declared =
        document.paths["/v1/agent/chat"].post.requestBody.content["application/json"].schema;
      const name = String(declared.$ref ?? "").replace("#/components/schemas/", "");
      return name === "" ? declared : document.components.schemas[name];
    };

    it("declares the body the route validates, sessionId's length limit included", () => {
      const schema = chatBody();
      expect(schema.additionalProperties).toBe(false);
      expect(schema.properties.message.maxLength).toBe(MESSAGE_MAX);
      expect(JSON.stringify(schema.properties.sessionId)).toContain(
        `"maxLength":${SESSION_ID_MAX}`,
      );
      // The document is generated from the zod schema the route validates with, so the two are
      // one: equal, annotations aside, to zod's own JSON Schema of the input.
      const zod = z.toJSONSchema(ChatBodySchema, { io: "input", target: "draft-2020-12" });
      expect(assertions(schema)).toEqual(assertions(zod));
    });

    it("accepts exactly the bodies the API accepts", async () => {
      const accepts = requestBody("/v1/agent/chat", "post");
      // Whitespace-only messages are left out: zod trims before `min(1)`, which JSON Schema
      // cannot say, so the document is looser there by design.
      const bodies: unknown[] = [
        { message: "hi" },
        { message: "hi", sessionId: null },
        { message: "hi", sessionId: "no-such-session" },
        { message: "x".repeat(MESSAGE_MAX) },
        {},
        { message: "" },
        { message: 5 },
        { message: "x".repeat(MESSAGE_MAX + 1) },
        { message: "hi", sessionId: "x".repeat(SESSION_ID_MAX + 1) },
        { message: "hi", sessionId: 7 },
        { message: "hi", extra: true },
      ];
      for (const body of bodies) {
        const response = await alice("/v1/agent/chat", {
          method: "POST",
          headers: JSON_HEADERS,
          body: JSON.stringify(body),
        });
        await response.body?.cancel();
        expect({ body, valid: response.status !== 422 }).toEqual({ body, valid: accepts(body) });
      }
    });
  });
});
