import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { DASHBOARD_HOSTNAME } from "../plan/hostnames.js";
import { writeFileAtomic } from "../state/files.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";

/** The header a page sends its token in: a custom header also makes a cross-site request need a preflight, which the dashboard never grants. */
export const TOKEN_HEADER = "x-portmate-token";

/** The names a browser may reach the dashboard by: loopback addresses and `portmate.localhost`, on any port. */
const HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", DASHBOARD_HOSTNAME]);

/**
 * The user's dashboard token (`<state>/dashboard-token`, 0600), made on first use. Actions need it; the URL
 * `portmate dashboard` opens carries it once, in its fragment (never sent to a server, never in a log), and the
 * page keeps it.
 */
export function dashboardToken(layout: StateLayout): string {
  const path = join(layout.root, "dashboard-token");
  try {
    const token = readFileSync(path, "utf8").trim();
    if (/^[0-9a-f]{64}$/.test(token)) return token;
  } catch {
    // made below
  }
  ensurePrivateDir(layout.root);
  const token = randomBytes(32).toString("hex");
  writeFileAtomic(path, `${token}\n`);
  return token;
}

/**
 * Whether the request names the dashboard by one of its own names. A page on another site that made its name
 * resolve to 127.0.0.1 (DNS rebinding) sends that name, and is refused.
 */
export function knownHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? "").toLowerCase();
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  return HOSTS.has(name);
}

/** Whether a request comes from the dashboard's own page, or from no page at all (a script): not from another site. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers["sec-fetch-site"] === undefined || req.headers["sec-fetch-site"] === "same-origin";
  try {
    const url = new URL(origin);
    return url.host.toLowerCase() === (req.headers.host ?? "").toLowerCase() && (url.protocol === "http:" || url.protocol === "https:");
  } catch {
    return false;
  }
}

/** Whether the request carries the user's token. */
export function hasToken(req: IncomingMessage, token: string): boolean {
  const given = req.headers[TOKEN_HEADER];
  if (typeof given !== "string" || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}
