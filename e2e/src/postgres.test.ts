/**
 * The same system on PostgreSQL instead of the embedded PGlite: `DATABASE_URL` set for both
 * apps, one database shared by both (each keeps its own tables and migration journal). The
 * rows are then read straight from PostgreSQL, so the test cannot pass on PGlite by mistake.
 */
import { createPostgresDatabase, type EmptyPostgresDatabase } from "@handoff/db-kit/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, type Page } from "./browser.js";
import { newUser } from "./session.js";
import { type System, startSystem } from "./system.js";

let database: EmptyPostgresDatabase;
let system: System;
let browser: Browser;
let page: Page;
const user = newUser("Linus");

beforeAll(async () => {
  database = await createPostgresDatabase();
  system = await startSystem({
    apiEnv: { DATABASE_URL: database.url },
    webEnv: { DATABASE_URL: database.url },
  });
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
  await database?.drop();
});

async function query(sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe("the system on PostgreSQL", () => {
  it("signs up, adds a task by hand and one through the agent, all stored in PostgreSQL", async () => {
    await page.goto(`${system.web}/sign-up`);
    await page.getByTestId("name").fill(user.name);
    await page.getByTestId("email").fill(user.email);
    await page.getByTestId("password").fill(user.password);
    await page.getByTestId("auth-submit").click();
    await page.waitForURL(`${system.web}/`);

    await page.getByTestId("new-task-title").fill("Review the patch");
    await page.getByTestId("add-task").click();
    await page.getByTestId("task-item").filter({ hasText: "Review the patch" }).waitFor();
    await expect
      .poll(() => page.getByTestId("agent-status").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("available");
    await page.getByTestId("agent-input").fill("add merge the patch");
    await page.getByTestId("agent-send").click();
    await page
      .getByTestId("task-item")
      .filter({ hasText: "merge the patch" })
      .waitFor({ timeout: 15_000 });

    const [account] = await query(`select id from "user" where email = $1`, [user.email]);
    expect(account).toBeDefined();
    const [membership] = await query(
      `select workspace_id from workspace_member where user_id = $1`,
      [account.id],
    );
    const tasks = await query(`select title, tenant_id, created_by from tasks order by number`);
    expect(tasks).toEqual([
      { title: "Review the patch", tenant_id: membership.workspace_id, created_by: account.id },
      { title: "merge the patch", tenant_id: membership.workspace_id, created_by: account.id },
    ]);
  });
});
