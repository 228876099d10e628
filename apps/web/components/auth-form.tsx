"use client";

import Link from "next/link";
import { useActionState } from "react";
import { type AuthFormState, signIn, signUp } from "@/lib/auth-actions";
import styles from "./auth.module.css";
import { Logo } from "./logo";

const INITIAL: AuthFormState = { error: null, email: "", name: "" };

/** Better Auth's minimum, set in lib/auth.ts. */
const MIN_PASSWORD = 8;

/**
 * Sign-in and sign-up. The form posts to a server action, so it works before (and without)
 * JavaScript; with it, errors show without a reload.
 */
export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const signingUp = mode === "sign-up";
  const [state, action, pending] = useActionState(signingUp ? signUp : signIn, INITIAL);
  return (
    <main id="main" className={styles.page}>
      <div className={styles.card}>
        <div className={styles.brand}>
          <Logo size={36} />
          <span>TaskFlow</span>
        </div>
        <h1 className={styles.title}>{signingUp ? "Create your account" : "Sign in"}</h1>
        <p className={styles.lead}>
          {signingUp
            ? "Your own workspace, ready in seconds."
            : "Welcome back. Your tasks are waiting."}
        </p>
        <form
          action={action}
          className={styles.form}
          aria-describedby={state.error ? "auth-error" : undefined}
        >
          {signingUp && (
            <label className={styles.field}>
              <span>Name</span>
              <input
                className="input"
                name="name"
                autoComplete="name"
                required
                defaultValue={state.name}
                data-testid="name"
              />
            </label>
          )}
          <label className={styles.field}>
            <span>Email</span>
            <input
              className="input"
              name="email"
              type="email"
              autoComplete="email"
              required
              defaultValue={state.email}
              data-testid="email"
            />
          </label>
          <label className={styles.field}>
            <span>Password</span>
            <input
              className="input"
              name="password"
              type="password"
              autoComplete={signingUp ? "new-password" : "current-password"}
              minLength={signingUp ? MIN_PASSWORD : undefined}
              required
              aria-describedby={signingUp ? "password-hint" : undefined}
              data-testid="password"
            />
            {signingUp && (
              <small id="password-hint" className={styles.hint}>
                At least {MIN_PASSWORD} characters.
              </small>
            )}
          </label>
          {state.error && (
            <p id="auth-error" className={styles.error} role="alert" data-testid="auth-error">
              {state.error}
            </p>
          )}
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={pending}
            data-testid="auth-submit"
          >
            {pending
              ? signingUp
                ? "Creating account…"
                : "Signing in…"
              : signingUp
                ? "Create account"
                : "Sign in"}
          </button>
        </form>
        <p className={styles.switch}>
          {signingUp ? "Already have an account? " : "New to TaskFlow? "}
          <Link href={signingUp ? "/sign-in" : "/sign-up"} data-testid="auth-switch">
            {signingUp ? "Sign in" : "Create an account"}
          </Link>
        </p>
      </div>
    </main>
  );
}
