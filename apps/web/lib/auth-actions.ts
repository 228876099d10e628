"use server";

import { isAPIError } from "better-auth/api";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AUTH_ATTEMPTS_PER_MINUTE } from "./auth";
import { authAttempts, clientAddress } from "./handoff";
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
  const requestHeaders = await headers();
  if (!(await allowed(requestHeaders, "sign-in", email.toLowerCase()))) {
    return { ...state, error: "Too many attempts. Wait a minute, then try again." };
  }
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
  const requestHeaders = await headers();
  if (!(await allowed(requestHeaders, "sign-up"))) {
    return { ...state, error: "Too many attempts. Wait a minute, then try again." };
  }
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

export async function signOut(): Promise<void> {
  await (await getAuth()).api.signOut({ headers: await headers() }).catch(() => {});
  redirect("/sign-in");
}

/**
 * Better Auth's own rate limit guards its HTTP endpoints only, not `auth.api` calls, so the
 * actions count attempts themselves: per client address and, for sign-in, per account too
 * (an address is easy to change; the account under attack is not).
 */
async function allowed(requestHeaders: Headers, action: string, account?: string) {
  const counts = [authAttempts.hit(`${action}:ip:${clientAddress(requestHeaders)}`, 60_000)];
  if (account !== undefined) counts.push(authAttempts.hit(`${action}:account:${account}`, 60_000));
  return (await Promise.all(counts)).every((hit) => hit.count <= AUTH_ATTEMPTS_PER_MINUTE);
}

function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

function messageOf(error: unknown): string {
  // By shape, not instanceof: Better Auth throws better-call's APIError, a class of its own.
  if (isAPIError(error)) {
    const message = (error.body as { message?: unknown } | undefined)?.message;
    if (typeof message === "string" && message !== "") return withPeriod(message);
    if (error.statusCode === 401) return "Invalid email or password.";
  }
  // Not a refusal: a fault of ours. Logged by name only (it may quote the database).
  console.error(`auth action failed: ${(error as Error)?.name ?? "error"}`);
  return "Something went wrong on our side. Please try again.";
}

function withPeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
