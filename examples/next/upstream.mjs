// A demo backend for the example: it answers every request with what it received, so you can
// see the bearer token arrive (shown shortened) and the browser's cookies not arrive.
import http from "node:http";

const port = Number(process.env.PORT ?? 8000);

http
  .createServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : null;
    const { authorization: _hidden, ...headers } = req.headers;
    const body = JSON.stringify(
      {
        method: req.method,
        target: req.url,
        bearerToken: token === null ? null : `${token.slice(0, 9)}… (${token.length} chars)`,
        cookiesReceived: req.headers.cookie ?? null,
        headers,
      },
      null,
      2,
    );
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(body);
  })
  .listen(port, "127.0.0.1", () => console.log(`echo upstream on http://127.0.0.1:${port}`));
