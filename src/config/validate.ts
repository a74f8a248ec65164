import type { ErrorObject, ValidateFunction } from "ajv";
import type { ConfigIssue } from "../errors.js";
import { didYouMeanSuffix } from "../util/did-you-mean.js";
import { composePorts, composeSpelling } from "./compose-spellings.js";
import { validate as generatedValidate } from "./schema-validator.generated.js";
import type { ConfigLocator, ConfigPath } from "./source.js";

/** The schema of portmate.yaml, compiled at build time by scripts/build-validator.mjs. */
const validate = generatedValidate as unknown as ValidateFunction;

/** Checks the data against the JSON Schema; every problem becomes one issue pointing into the file. */
export function validateSchema(data: unknown, source: ConfigLocator): ConfigIssue[] {
  if (validate(data)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // A bad key name is reported twice: by its pattern (with `propertyName` set) and by `propertyNames`. Keep one.
    if ((error as { propertyName?: string }).propertyName !== undefined) continue;
    const issue = toIssue(error, source);
    const key = `${issue.line}:${issue.col}:${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function toIssue(error: ErrorObject, source: ConfigLocator): ConfigIssue {
  const path = pointerToPath(error.instancePath);
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(error.params.additionalProperty);
      const compose = composeSpelling(path, key);
      if (compose) return source.issue([...path, key], `unknown key "${key}" (docker compose's): ${compose}`, { at: "key" });
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return source.issue([...path, key], `unknown key "${key}"${didYouMeanSuffix(key, known)}`, {
        at: "key",
        hint: known.length ? `known keys here: ${known.join(", ")}` : undefined,
      });
    }
    case "required":
      return source.issue(path, `missing required key "${String(error.params.missingProperty)}"`);
    case "propertyNames": {
      const name = String(error.params.propertyName);
      return source.issue([...path, name], `"${name}" is not a valid name: use letters, digits, "-" and "_"`, { at: "key" });
    }
    case "type": {
      const ports = path.length === 3 && path[0] === "services" && path[2] === "ports" ? composePorts(error.data) : undefined;
      if (ports) return source.issue(path, ports);
      return source.issue(path, `must be ${article(String(error.params.type))}, got ${describe(error.data)}`);
    }
    case "enum":
      return source.issue(
        path,
        `must be one of ${(error.params.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(", ")}, got ${describe(error.data)}`,
      );
    case "errorMessage":
      return source.issue(path, `${error.message ?? "is invalid"}, got ${describe(error.data)}`);
    case "pattern":
      if (error.params.pattern === "\\S") return source.issue(path, "must not be empty");
      return source.issue(path, `must match the pattern ${String(error.params.pattern)}, got ${describe(error.data)}`);
    case "minProperties":
    case "minItems":
    case "minLength":
      return source.issue(path, "must not be empty");
    default:
      return source.issue(path, error.message ?? "is invalid");
  }
}

/** JSON pointer (`/services/ui/depends_on/0`) → path (`["services", "ui", "depends_on", 0]`). */
function pointerToPath(pointer: string): ConfigPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function article(type: string): string {
  const names = type
    .split(",")
    .map((name) => (name === "integer" ? "a whole number" : name === "object" ? "a map" : name === "array" ? "a list" : `a ${name}`));
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : (names[0] ?? type);
}

/** A short, exact description of a value for messages: `"8000"` (a string), `-1`, `a list`, `nothing`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return String(value);
}
