import type { ServiceConfig } from "./types.js";

/** Whether a service gets a name: it speaks HTTP (checked over HTTP, announces its URL, or has an http `url:`). */
export function isNamed(service: ServiceConfig): boolean {
  if (!service.named || service.ports.length === 0) return false;
  if (service.url !== undefined) return /^https?:\/\//i.test(service.url);
  return service.health.check.kind === "http" || service.announce;
}
