import { readJson } from "handoff-bff/client";
import { api, JSON_HEADERS } from "../http";
import type { Task, TaskChanges, TaskPage, TasksApi } from "./types";

/** The tasks resource of the API, through Handoff's `/api/proxy` mount. */
const TASKS = "/api/proxy/api/tasks";

const taskUrl = (id: string) => `${TASKS}/${encodeURIComponent(id)}`;

/** RFC 9110 §8.8.3: an entity tag is a quoted string; the API's is the task's version. */
const etag = (version: number) => `"${version}"`;

/**
 * The tasks API as the dashboard's store uses it. Errors are `handoff-bff/client`'s
 * `ProblemError`s (status, code, detail), or `fetch`'s `TypeError` when the network fails.
 */
export const tasksApi: TasksApi = {
  async list(cursor) {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor !== null) query.set("cursor", cursor);
    return readJson<TaskPage>(await api(`${TASKS}?${query}`, { cache: "no-store" }));
  },
  async get(id) {
    return readJson<Task>(await api(taskUrl(id), { cache: "no-store" }));
  },
  async create(input) {
    const body = JSON.stringify(input);
    return readJson<Task>(await api(TASKS, { method: "POST", headers: JSON_HEADERS, body }));
  },
  async update(id, changes: TaskChanges, version) {
    const headers = { ...JSON_HEADERS, "if-match": etag(version) };
    const body = JSON.stringify(changes);
    return readJson<Task>(await api(taskUrl(id), { method: "PATCH", headers, body }));
  },
  async remove(id, version) {
    const headers = { "if-match": etag(version) };
    await readJson(await api(taskUrl(id), { method: "DELETE", headers }));
  },
};
