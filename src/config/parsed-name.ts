import { parse } from "yaml";

/** The top-level `name` of a YAML text, through the parser (it throws on a text that does not parse). */
export function parsedName(text: string): unknown {
  return (parse(text, { logLevel: "error" }) as { name?: unknown } | null)?.name;
}
