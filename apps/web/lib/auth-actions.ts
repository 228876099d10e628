"use server";

import { isAPIError } from "better-auth/api";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getAuth } from "./runtime";

/** What a sign-in or sign-up form shows after a failed attempt. */
export interface AuthFormState {
  readonly error: string | null;
  readonly email: string;
  readonly name: string;
}

/**
 * Server actions rather than calls from the browser to /api/auth: the session cookie is set on
 * the response (httpOnly, by Better Auth through `nextCookies()`), and nothing that page
 * scripts can read ever holds the session token, which Better Auth's JSON answers include.
 * Next.js checks each action's Origin against the Host, as CSRF protection.
 */
export async function signIn(_state: AuthFormState, form: FormData): Promise<AuthFormState> {
  const email = field(form, "email").trim();
  const password = field(form, "password");
  const state = { email, name: "" };
  if (email === "" || password === "") {
    return { ...state, error: "Enter your email and password." };
  }
  // Attempts are counted, per account and per trusted address, by the hook in lib/auth.ts,
  // which guards auth.api calls as it guards the HTTP endpoints.
  const requestHeaders = await headers();
  try {
    await (await getAuth()).api.signInEmail({ body: { email, password }, headers: requestHeaders });
  } catch (error) {
    return { ...state, error: messageOf(error) };
  }
  redirect("/");
}

export async function signUp(_state: AuthFormState, form: FormData): Promise<AuthFormState> {
  const name = field(form, "name").trim();
  const email = field(form, "email").trim();
  const password = field(form, "password");
  const state = { email, name };
  if (name === "" || email === "" || password === "") {
    return { ...state, error: "Enter your name, email and a password." };
  }
  // Attempts are counted, per account and per trusted address, by the hook in lib/auth.ts,
  // which guards auth.api calls as it guards the HTTP endpoints.
  const requestHeaders = await headers();
  try {
    await (await getAuth()).api.signUpEmail({
      body: { name, email, password },
      headers: requestHeaders,
    });
  } catch (error) {
    return { ...state, error: messageOf(error) };
  }
  redirect("/");
}

/**
 * Ends the session. Better Auth's `hooks.before` (lib/auth-revocation.ts) revokes its JWT on
 * every instance first, while the cookie is still there to name it.
 */
export async function signOut(): Promise<void> {
  await (await getAuth()).api.signOut({ headers: await headers() }).catch(() => {});
  redirect("/sign-in");
}

function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

function messageOf(error: unknown): string {
  // By shape, not instanceof: Better Auth throws better-call's APIError, a class of its own.
  if (isAPIError(error)) {
    if (error.statusCode === 429) return tooManyAttempts(error.headers);
    // ERR_STORE_UNAVAILABLE: attempts cannot be counted (Redis down), so none is made.
    if (error.statusCode === 503)
      return "Signing in is unavailable for a moment. Try again shortly.";
    const message = (error.body as { message?: unknown } | undefined)?.message;
    if (typeof message === "string" && message !== "") return withPeriod(message);
    if (error.statusCode === 401) return "Invalid email or password.";
  }
  // Not a refusal: a fault of ours. Logged by name only (it may quote the database).
  console.error(`auth action failed: ${(error as Error)?.name ?? "error"}`);
  return "Something went wrong on our side. Please try again.";
}

/** 429 from lib/auth-limits.ts, with `Retry-After` in seconds. */
function tooManyAttempts(errorHeaders: unknown): string {
  const retryAfter = Number(new Headers(errorHeaders as HeadersInit).get("retry-after"));
  const minutes = Number.isFinite(retryAfter) ? Math.max(1, Math.ceil(retryAfter / 60)) : 1;
  const wait = minutes === 1 ? "a minute" : `${minutes} minutes`;
  return `Too many attempts. Wait ${wait}, then try again.`;
}

function withPeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
