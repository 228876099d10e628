import { Demo } from "./demo";

export default function Home() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "3rem auto" }}>
      <h1>Handoff</h1>
      <p>
        The session token lives in an httpOnly cookie. <code>/api/proxy/*</code> reads it on the
        server and forwards the request to the backend with <code>Authorization: Bearer</code>.
      </p>
      <Demo />
    </main>
  );
}
