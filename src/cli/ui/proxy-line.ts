import type { ProxyStatus } from "../../proxy/proxy-control.js";
import { formatDuration } from "../../util/duration.js";

/** One line about the local proxy, as `portmate proxy` and `ps -a` print it. */
export function proxyLine(status: ProxyStatus | undefined): string {
  if (!status) return "local proxy: not running (a stack with `proxy: true` starts it)";
  const uptime = formatDuration(Date.now() - Date.parse(status.startedAt));
  const names = status.routes.length;
  return `local proxy: running on port ${status.port} (pid ${status.pid}, up ${uptime}), ${names} name${names === 1 ? "" : "s"}`;
}
