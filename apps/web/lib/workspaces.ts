import { and, eq } from "drizzle-orm";
import { type Db, workspace, workspaceMember } from "./db/schema";

/** A tenant of the API, as the dashboard shows it. */
export interface Workspace {
  readonly id: string;
  readonly name: string;
}

interface Owner {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/**
 * The user's personal workspace, created when missing. Sign-up creates it (a database hook);
 * doing it here too means a user whose hook failed still gets a tenant on first use instead of
 * a JWT without `tenant_id`. Two racing calls create one workspace: the partial unique index
 * on owners refuses the second, which then reads the first's.
 *
 * @example
 * ```ts
 * const { id } = await personalWorkspace(db, session.user); // the JWT's tenant_id
 * ```
 */
export async function personalWorkspace(db: Db, owner: Owner): Promise<Workspace> {
  const existing = await findPersonal(db, owner.id);
  if (existing) return existing;
  const created: Workspace = { id: crypto.randomUUID(), name: workspaceName(owner) };
  try {
    await db.transaction(async (tx) => {
      await tx.insert(workspace).values(created);
      await tx.insert(workspaceMember).values({
        workspaceId: created.id,
        userId: owner.id,
        role: "owner",
      });
    });
    return created;
  } catch (error) {
    const raced = await findPersonal(db, owner.id);
    if (raced) return raced;
    throw error;
  }
}

/** "Ada's workspace"; the part of the email before `@` when the user gave no name. */
function workspaceName(owner: Pick<Owner, "name" | "email">): string {
  const name = owner.name.trim() || owner.email.split("@")[0] || "My";
  return `${name}'s workspace`;
}

async function findPersonal(db: Db, userId: string): Promise<Workspace | undefined> {
  const rows = await db
    .select({ id: workspace.id, name: workspace.name })
    .from(workspaceMember)
    .innerJoin(workspace, eq(workspace.id, workspaceMember.workspaceId))
    .where(and(eq(workspaceMember.userId, userId), eq(workspaceMember.role, "owner")))
    .limit(1);
  return rows[0];
}
