// Peer for the benchmark: better-sse on Node's http server, the same shape
// as the other peers. GET /sub/<chan> is an event stream of the channel;
// POST /pub/<chan> broadcasts its body (one `data:` line) to the channel's
// sessions (no database: a fan-out hub only). Written for the reservas
// benchmark harness (crates/bench); not a product component.
// Usage: node better_sse.mjs PORT  (run from a folder whose node_modules
// holds better-sse).
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

// Resolve better-sse from the working directory (target/bench/node), not
// from where this file lives.
const require = createRequire(path.join(process.cwd(), "index.js"));
const lib = await import(require.resolve("better-sse"));
const { createSession, createChannel } = lib.createSession ? lib : lib.default;

const channels = new Map();
function channel(name) {
  let c = channels.get(name);
  if (!c) {
    c = createChannel();
    channels.set(name, c);
  }
  return c;
}

const port = Number(process.argv[2]);
const server = http.createServer(async (req, res) => {
  const m = /^\/(sub|pub)\/(\w+)/.exec(req.url ?? "");
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  if (m[1] === "sub") {
    // The body is sent as is (no JSON re-encoding); 15 s heartbeat like
    // reservas-server's default.
    const session = await createSession(req, res, {
      serializer: (d) => d,
      keepAlive: 15000,
    });
    channel(m[2]).register(session);
  } else {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      channel(m[2]).broadcast(body);
      res.writeHead(204).end();
    });
  }
});
server.listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
