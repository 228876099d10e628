import { Session } from "./session";

export default function Home() {
  return (
    <main>
      <h1>Handoff · OpenID Connect</h1>
      <p className="lead">
        Signed in with OpenID Connect through <code>handoff-bff/oidc</code>. The tokens stay on the
        server: this page gets the user&apos;s claims from <code>/auth/user</code> and reaches the
        TaskFlow API through <code>/api/proxy</code>, which adds the access token.
      </p>
      <Session />
    </main>
  );
}
