/**
 * drizzle-kit settings: `npm run db:generate -w web` writes a SQL migration under `drizzle/`
 * for every change to `lib/db/schema.ts`. Commit the result; the app applies it on its first
 * request.
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
});
