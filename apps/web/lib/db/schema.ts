/**
 * The web app's tables, as Drizzle pg-core definitions: Better Auth's (user, session, account,
 * verification, and jwks for the JWT plugin) and the workspaces that are the API's tenants.
 * `npm run db:generate -w web` turns changes here into SQL under `apps/web/drizzle/`;
 * `schema.test.ts` fails when this file and what Better Auth expects disagree.
 *
 * Property names are Better Auth's field names (its Drizzle adapter addresses columns by them);
 * column names are snake_case. No table shares a name with the API's (`tasks`, `tenants`), so
 * both apps may use one PostgreSQL database.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  type PgDatabase,
  type PgQueryResultHKT,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** Millisecond precision: what a JavaScript `Date` holds, so a value reads back unchanged. */
const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const created = () => moment("created_at").notNull().defaultNow();
const updated = () =>
  moment("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  createdAt: created(),
  updatedAt: updated(),
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: moment("expires_at").notNull(),
    token: text("token").notNull().unique(),
    createdAt: created(),
    updatedAt: updated(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
  },
  (table) => [index("session_user_id_idx").on(table.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: moment("access_token_expires_at"),
    refreshTokenExpiresAt: moment("refresh_token_expires_at"),
    scope: text("scope"),
    /** A scrypt hash (Better Auth's default), never the password. */
    password: text("password"),
    createdAt: created(),
    updatedAt: updated(),
  },
  (table) => [index("account_user_id_idx").on(table.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: moment("expires_at").notNull(),
    createdAt: created(),
    updatedAt: updated(),
  },
  (table) => [index("verification_identifier_idx").on(table.identifier)],
);

/**
 * The JWT plugin's signing keys. The private key is encrypted with `BETTER_AUTH_SECRET`
 * (the plugin's default), so changing the secret makes existing keys unusable.
 */
export const jwks = pgTable("jwks", {
  id: text("id").primaryKey(),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  createdAt: moment("created_at").notNull(),
  expiresAt: moment("expires_at"),
  alg: text("alg"),
  crv: text("crv"),
});

/** A tenant of the API: its id is the JWT's `tenant_id`. Every user gets one at sign-up. */
export const workspace = pgTable("workspace", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: created(),
});

/**
 * Who belongs to which workspace. `owner` marks the user's personal workspace, created at
 * sign-up; the unique index keeps it at one per user even when two requests race to create it.
 */
export const workspaceMember = pgTable(
  "workspace_member",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspace.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["owner", "member"] }).notNull(),
    createdAt: created(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.userId] }),
    index("workspace_member_user_id_idx").on(table.userId),
    uniqueIndex("workspace_member_one_personal_idx").on(table.userId).where(sql`role = 'owner'`),
  ],
);

/** The tables Better Auth's Drizzle adapter is given, keyed by its model names. */
export const authSchema = { user, session, account, verification, jwks };

/** Both drivers (PGlite, node-postgres) give a database of this type. */
export type Db = PgDatabase<PgQueryResultHKT>;
