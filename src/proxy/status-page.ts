import { readLastLines } from "../state/logs.js";
import type { Route } from "./routes.js";

/** Lines of the service's log a page shows. */
const LOG_LINES = 15;
/** How often the page asks again while the service is on its way. */
const REFRESH_SECONDS = 1;

export interface StatusAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What a name answers while its service cannot: for a browser, a small page that says what the service is
 * doing, shows its last lines and (while it is on its way) refreshes itself until the service answers; for
 * anything else, one plain line. `route` undefined: the name is known to no running stack.
 */
export function statusAnswer(hostname: string, route: Route | undefined, state: "coming" | "stopped" | "down" | "unknown", wantsHtml: boolean): StatusAnswer {
  const { status, title, hint } = describe(hostname, route, state);
  const headers: Record<string, string> = { "cache-control": "no-store", "x-portmate": state };
  if (state === "coming") headers["retry-after"] = String(REFRESH_SECONDS);
  if (!wantsHtml || state === "unknown") {
    return { status, headers: { ...headers, "content-type": "text/plain; charset=utf-8" }, body: `${title}${hint ? `\n${hint}` : ""}\n` };
  }
  const lines = route?.log ? readLastLines(route.log, LOG_LINES).map((line) => stripAnsi(line.text)) : [];
  // While it is on its way, and after it exited (a restart policy may bring it back), the page asks again.
  const refresh =
    state === "coming" || state === "down" ? `<meta http-equiv="refresh" content="${state === "coming" ? REFRESH_SECONDS : 2 * REFRESH_SECONDS}">` : "";
  const body = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${refresh}<title>${escapeHtml(title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:52rem;margin:3rem auto;padding:0 1rem;color:#222}
pre{background:#111;color:#ddd;padding:.8rem;border-radius:6px;overflow:auto;font-size:13px}.hint{color:#555}</style></head>
<body><h1>${escapeHtml(title)}</h1>${hint ? `<p class="hint">${escapeHtml(hint)}</p>` : ""}${
    lines.length ? `<p>Its last lines:</p><pre>${escapeHtml(lines.join("\n"))}</pre>` : ""
  }<p class="hint">portmate</p></body></html>
`;
  return { status, headers: { ...headers, "content-type": "text/html; charset=utf-8" }, body };
}

function describe(
  hostname: string,
  route: Route | undefined,
  state: "coming" | "stopped" | "down" | "unknown",
): { status: number; title: string; hint?: string } {
  if (!route || state === "unknown") return { status: 404, title: `No service is named ${hostname}` };
  const who = `${route.service} of ${route.project}`;
  switch (state) {
    case "coming":
      return {
        status: 503,
        title: `${who} is ${route.status === "pending" ? "waiting to start" : route.status}…`,
        hint: "This page reloads itself until it answers.",
      };
    case "stopped":
      return { status: 503, title: `${who} is stopped`, hint: `\`portmate start ${route.name}\` starts it again.` };
    default:
      return {
        status: 502,
        title: `${who} is not running (${route.status})`,
        hint: `\`portmate logs ${route.name}\` shows why; \`portmate restart ${route.name}\` starts it again.`,
      };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "");
}
