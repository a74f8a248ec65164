import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../util/duration.js";
import { LOOPBACK } from "../plan/names.js";

/** What one GET gave: the status, content type and body, or why there was none. */
type Reply = { status: number; type: string; body: Buffer };
type Answer = Reply | { error: string };

/** How long one request may take. */
const REQUEST_TIMEOUT_MS = 5000;
/** Between attempts: a tunnel's public side often needs a moment after it says it is open. */
const RETRY_MS = 250;

/** The public URL reached the service, or why it is not known to. */
export type Verification = { ok: true } | { ok: false; reason: string };

/**
 * Proves that `publicUrl` reaches the service on `port`: the same GET of `path` made through the public URL and
 * made locally must give the same status and the same body. A tunnel pointing at another port (another
 * service, another instance, nothing) answers differently, or not at all. A page that changes from one request
 * to the next (a counter, a clock) cannot be compared whole: when two local answers differ, the public one
 * must have their status and content type. Retries until `deadline`, since the public side may lag behind the
 * tunnel program saying it is open.
 */
export async function verifyTunnel(publicUrl: string, port: number, path: string, deadline: number, abort: AbortSignal): Promise<Verification> {
  const through = joinUrl(publicUrl, path);
  const local = `http://${LOOPBACK}:${port}${path}`;
  let last = "";
  for (;;) {
    abort.throwIfAborted();
    const direct = await get(local, abort);
    const remote = await get(through, abort);
    let verdict = compare(through, remote, local, direct);
    if (!verdict.ok && !("error" in remote) && !("error" in direct)) {
      const again = await get(local, abort);
      if (!("error" in again)) verdict = changing(direct, again) ? compareChanging(through, remote, direct) : compare(through, remote, local, again);
    }
    if (verdict.ok) return verdict;
    last = verdict.reason;
    if (Date.now() + RETRY_MS >= deadline) break;
    await sleep(RETRY_MS, undefined, { signal: abort });
  }
  return { ok: false, reason: last };
}

/** `https://x.example/` + `/health` without a doubled slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`);
}

function compare(through: string, remote: Answer, local: string, direct: Answer): Verification {
  if ("error" in direct) return { ok: false, reason: `the service itself does not answer GET ${local} (${direct.error}), so the tunnel cannot be checked` };
  if ("error" in remote) return { ok: false, reason: `GET ${through} failed: ${remote.error}` };
  if (remote.status !== direct.status)
    return { ok: false, reason: `GET ${through} answered ${remote.status}, the service itself ${direct.status}: the tunnel does not reach it` };
  if (!remote.body.equals(direct.body)) {
    return {
      ok: false,
      reason: `GET ${through} answered ${remote.status} with another body (${remote.body.length} bytes) than the service itself (${direct.body.length} bytes): the tunnel does not reach it`,
    };
  }
  return { ok: true };
}

/** Whether two answers of the service differ: its page changes between requests. */
function changing(first: Reply, second: Reply): boolean {
  return first.status !== second.status || !first.body.equals(second.body);
}

/** The public answer to a page that changes: the same status and content type as the service's. */
function compareChanging(through: string, remote: Reply, direct: Reply): Verification {
  if (remote.status === direct.status && remote.type === direct.type) return { ok: true };
  return {
    ok: false,
    reason: `GET ${through} answered ${remote.status} (${remote.type || "no content type"}), the service itself ${direct.status} (${direct.type || "no content type"}): the tunnel does not reach it`,
  };
}

/**
 * One GET, with node's own client rather than fetch: fetch refuses "bad ports" (6000, 6665-6669…) that a
 * service may well have been given, and would follow redirects.
 */
function get(url: string, abort: AbortSignal): Promise<Answer> {
  abort.throwIfAborted();
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(url, { method: "GET", agent: false, timeout: REQUEST_TIMEOUT_MS, headers: { "user-agent": "portmate-tunnel-check" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }));
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    const onAbort = () => {
      req.destroy();
      reject(abort.reason);
    };
    abort.addEventListener("abort", onAbort, { once: true });
    req.on("close", () => abort.removeEventListener("abort", onAbort));
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${formatDuration(REQUEST_TIMEOUT_MS)}`), { code: undefined })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}
