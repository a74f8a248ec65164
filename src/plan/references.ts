import { referencedService, referencesIn } from "../config/template.js";
import type { CommandConfig, ServiceConfig } from "../config/types.js";

/** The texts of a command that may hold templates: its script, or each of its arguments. */
export function commandTexts(command: CommandConfig): string[] {
  return command.shell ? [command.script] : command.argv;
}

/**
 * The services whose port or URL this service's command or env refers to (`${services.NAME.…}`); with
 * `health`, its health check's too (what it needs running to be checked).
 */
export function referencedServices(service: ServiceConfig, options: { health?: boolean } = {}): Set<string> {
  const texts = [...commandTexts(service.command), ...Object.values(service.env)];
  if (options.health && service.health.check.kind === "http") texts.push(service.health.check.path);
  if (options.health && service.health.check.kind === "command") texts.push(...commandTexts(service.health.check.command));
  return new Set(texts.flatMap((text) => referencesIn(text).map(referencedService)).filter((name): name is string => name !== undefined));
}
