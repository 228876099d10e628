/**
 * drizzle-kit settings: `npm run db:generate` writes a SQL migration under `drizzle/` for every
 * change to `src/db/schema.ts`. Commit the result; the API applies it on start.
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
