import { Demo } from "./demo";

export default function Home() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "3rem auto" }}>
      <h1>Handoff</h1>
      <p>
        The session token lives in an httpOnly cookie. <code>/api/proxy/*</code> reads it on the
        server and forwards the request to the backend with <code>Authorization: Bearer</code>.
        Under <code>npm start</code> the backend is the TaskFlow API (<code>apps/api</code>): sign
        in, then add and list tasks or talk to its agent, all through the proxy.
      </p>
      <Demo />
    </main>
  );
}
