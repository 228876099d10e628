/**
 * Stands for your app's authentication (a session cookie, a verified JWT). It must come from
 * the request's credentials, never from its body. Replaced by a test double in the tests.
 */
export async function currentUser(_request: Request): Promise<{ id: string } | null> {
  throw new Error("Wire your app's authentication here.");
}
