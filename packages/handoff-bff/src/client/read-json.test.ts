import { describe, expect, it } from "vitest";
import { errorCode } from "../errors.js";
import { ProblemError } from "./problem-error.js";
import { readJson } from "./read-json.js";

const problem = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });

describe("readJson", () => {
  it("returns the parsed body of a 2xx JSON response, +json types included", async () => {
    expect(await readJson(Response.json({ items: [] }))).toEqual({ items: [] });
    const merge = new Response('{"a":1}', {
      headers: { "content-type": "application/merge-patch+json; charset=utf-8" },
    });
    expect(await readJson(merge)).toEqual({ a: 1 });
  });

  it("returns undefined for 204 and for an empty body", async () => {
    expect(await readJson(new Response(null, { status: 204 }))).toBeUndefined();
    const empty = new Response("", {
      status: 200,
      headers: { "content-type": "application/json" },
    });
    expect(await readJson(empty)).toBeUndefined();
  });

  it("throws a TypeError, not a SyntaxError, for a 2xx page that is not JSON", async () => {
    const page = new Response("<!doctype html>", { headers: { "content-type": "text/html" } });
    await expect(readJson(page)).rejects.toThrow(
      new TypeError("Expected a JSON response, got text/html (status 200)."),
    );
  });

  it("throws a ProblemError with the API's code and keeps the response headers, such as ETag on 412", async () => {
    const response = problem(
      412,
      JSON.stringify({
        type: "https://handoff.dev/taskflow/errors/ERR_PRECONDITION_FAILED",
        title: "Precondition failed",
        status: 412,
        detail: "The task has changed.",
        code: "ERR_PRECONDITION_FAILED",
        requestId: "req-1",
      }),
      { etag: '"4"' },
    );
    const error = await readJson(response).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(errorCode(error)).toBe("ERR_PRECONDITION_FAILED");
    expect(error).toMatchObject({
      name: "ProblemError",
      status: 412,
      title: "Precondition failed",
      detail: "The task has changed.",
      message: "The task has changed.",
      requestId: "req-1",
    });
    expect((error as ProblemError).response.headers.get("etag")).toBe('"4"');
  });

  it("keeps extra problem members, such as the API's list of invalid fields", async () => {
    const errors = [{ field: "title", message: "Must not be empty." }];
    const response = problem(422, JSON.stringify({ code: "ERR_VALIDATION", errors }));
    const error = (await readJson(response).catch((caught: unknown) => caught)) as ProblemError;
    expect(error.problem.errors).toEqual(errors);
  });

  it("ignores problem members of the wrong type and bodies that are not JSON objects", async () => {
    const wrongTypes = problem(500, JSON.stringify({ code: 5, detail: null, title: ["x"] }));
    expect(await readJson(wrongTypes).catch((caught: unknown) => caught)).toMatchObject({
      code: undefined,
      detail: undefined,
      title: "HTTP 500",
    });
    for (const body of ["not json", "[1]", "null"]) {
      const error = await readJson(problem(400, body)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, code: undefined, problem: {} });
    }
  });

  it("throws on 304 too, which a caller sending If-None-Match handles first", async () => {
    const error = await readJson(new Response(null, { status: 304 })).catch((caught) => caught);
    expect(error).toMatchObject({ name: "ProblemError", status: 304 });
  });
});
