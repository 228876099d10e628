import { headers } from "next/headers";
import { getRuntime } from "./runtime";
import { personalWorkspace, type Workspace } from "./workspaces";

/** The signed-in user of the current request, as server components need it. */
export interface Viewer {
  readonly email: string;
  readonly name: string;
  readonly workspace: Workspace;
}

/**
 * The current request's user and workspace, or `null` when signed out. Reading `headers()`
 * makes the calling page dynamic, so it is never prerendered at build.
 */
export async function getViewer(): Promise<Viewer | null> {
  const requestHeaders = await headers();
  const { auth, database } = await getRuntime();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (session === null) return null;
  const workspace = await personalWorkspace(database.db, session.user);
  return { email: session.user.email, name: session.user.name, workspace };
}
