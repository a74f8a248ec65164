import type { ServiceInfo } from "../../stack/stack.js";
import { formatPorts } from "../../stack/format-ports.js";

/** Lays out rows as aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * The table `up` prints once every service is healthy: a NAME column (the URL through the local proxy) when the
 * project has names, a PUBLIC URL column when a tunnel is open.
 */
export function servicesTable(services: readonly ServiceInfo[]): string {
  const tunnels = services.some((service) => service.publicUrl !== undefined);
  const names = services.some((service) => service.namedUrl !== undefined);
  return formatTable(
    ["SERVICE", "PID", "PORT", ...(names ? ["NAME"] : []), "URL", ...(tunnels ? ["PUBLIC URL"] : [])],
    services.map((service) => [
      service.id,
      service.pid === undefined ? "-" : String(service.pid),
      formatPorts(service),
      ...(names ? [service.namedUrl ?? "-"] : []),
      service.url ?? "-",
      ...(tunnels ? [service.publicUrl ?? "-"] : []),
    ]),
  );
}
