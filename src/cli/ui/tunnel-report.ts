import type { ServiceInfo } from "../../stack/stack.js";
import { warn, type CliIO } from "./terminal.js";

/**
 * What `up` says about tunnels once the stack is up: a warning for every public URL (anyone who has it reaches
 * the service), and for every tunnel that failed, why, and that the service runs locally only.
 */
export function reportTunnels(io: CliIO, services: readonly ServiceInfo[]): void {
  for (const service of services) {
    if (service.publicUrl !== undefined) warn(io, publicWarning(service.id, service.publicUrl));
    else if (service.tunnel?.reason !== undefined)
      warn(io, `${service.id}: its tunnel failed: ${service.tunnel.reason}. ${localOnly(service.id, service.url)}`);
  }
}

export function publicWarning(id: string, url: string): string {
  return `${id} is PUBLIC at ${url}: anyone who has this URL reaches it`;
}

function localOnly(id: string, url: string | undefined): string {
  return `${id} runs locally only${url ? `, at ${url}` : ""}`;
}
