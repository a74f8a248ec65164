import type { ServiceInfo } from "./stack.js";

/** `8000`, or `8002 (http), 8003 (metrics)` for named ports; `-` for none. */
export function formatPorts(service: Pick<ServiceInfo, "ports">): string {
  const entries = Object.entries(service.ports);
  if (entries.length === 0) return "-";
  if (entries.length === 1) return String(entries[0]?.[1]);
  return entries.map(([name, port]) => `${port} (${name})`).join(", ");
}
