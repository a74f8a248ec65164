import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../duration.js";
import { LOOPBACK } from "../render.js";

/** What one GET gave: the status and body, or why there was none. */
type Answer = { status: number; body: Buffer } | { error: string };

/** How long one request may take. */
const REQUEST_TIMEOUT_MS = 5000;
/** Between attempts: a tunnel's public side often needs a moment after it says it is open. */
const RETRY_MS = 250;

/** The public URL reached the service, or why it is not known to. */
export type Verification = { ok: true } | { ok: false; reason: string };

/**
 * Proves that `publicUrl` reaches the service on `port`: the same GET of `path` made through the public URL and
 * made locally must give the same status and the same body. A tunnel pointing at another port (another
 * service, another instance, nothing) answers differently, or not at all. Retries until `deadline`, since the
 * public side may lag behind the tunnel program saying it is open, and a page may change between two requests.
 */
export async function verifyTunnel(publicUrl: string, port: number, path: string, deadline: number, abort: AbortSignal): Promise<Verification> {
  const through = joinUrl(publicUrl, path);
  const local = `http://${LOOPBACK}:${port}${path}`;
  let last = "";
  for (;;) {
    abort.throwIfAborted();
    const [remote, direct] = await Promise.all([get(through, abort), get(local, abort)]);
    const verdict = compare(through, remote, local, direct);
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

async function get(url: string, abort: AbortSignal): Promise<Answer> {
  const signal = AbortSignal.any ? AbortSignal.any([abort, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  try {
    // No redirects followed: a redirect is part of the answer, compared like the rest.
    const response = await fetch(url, { redirect: "manual", signal, headers: { "user-agent": "portmate-tunnel-check" } });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  } catch (error) {
    if (abort.aborted) throw abort.reason;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    return {
      error: name === "TimeoutError" ? `no answer within ${formatDuration(REQUEST_TIMEOUT_MS)}` : (cause?.code ?? cause?.message ?? (error as Error).message),
    };
  }
}
