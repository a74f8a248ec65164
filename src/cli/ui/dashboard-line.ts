import { DASHBOARD_HOSTNAME } from "../../plan/hostnames.js";
import { runningProxy } from "../../proxy/proxy-record.js";
import { runningDaemon } from "../../state/daemon-record.js";
import type { StateLayout } from "../../state/paths.js";

/**
 * Where the dashboard is, without starting anything: by its name when the local proxy runs (which starts the
 * dashboard when asked), else on its own port when it runs; undefined when neither does.
 */
export function dashboardUrl(layout: StateLayout): string | undefined {
  const proxy = runningProxy(layout);
  if (proxy) return `http://${DASHBOARD_HOSTNAME}:${proxy.port}/`;
  const dashboard = runningDaemon(layout, "dashboard");
  return dashboard ? `http://127.0.0.1:${dashboard.port}/` : undefined;
}

/** What `up` says of the dashboard once the stack is ready: its URL, or how to open it. */
export function dashboardLine(layout: StateLayout): string {
  const url = dashboardUrl(layout);
  return url ? `Dashboard: ${url} (\`portmate dashboard\` opens it, with actions)` : "Dashboard: `portmate dashboard` opens every stack in the browser";
}
