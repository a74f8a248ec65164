import { engineDuration } from "./engine-health.js";
import type { NomadCheck, NomadGroup, NomadJob, NomadTask } from "./nomad-job.js";

type Value = string | number | boolean | string[];
type Item = { attribute: string; value: Value } | { block: string; labels: string[]; body: Item[] };

/** The names HCL takes unquoted, as the keys of a block such as `env`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The job as an HCL2 jobspec (`nomad job run job.nomad.hcl`), written from the same data as the JSON job, so
 * the two say the same. Env names HCL cannot write as a key of the `env` block are left out, and said.
 */
export function nomadHcl(job: NomadJob): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const body: Item[] = [attribute("type", job.Type), attribute("datacenters", job.Datacenters), ...job.TaskGroups.map((group) => groupBlock(group, warnings))];
  return { text: render([block("job", [job.ID], body)], 0), warnings };
}

function groupBlock(group: NomadGroup, warnings: string[]): Item {
  const body: Item[] = [attribute("count", group.Count)];
  for (const network of group.Networks ?? [])
    body.push(
      block(
        "network",
        [],
        network.DynamicPorts.map((port) => block("port", [port.Label], [])),
      ),
    );
  body.push(block("reschedule", [], [attribute("attempts", group.ReschedulePolicy.Attempts), attribute("unlimited", group.ReschedulePolicy.Unlimited)]));
  body.push(...group.Tasks.map((task) => taskBlock(task, warnings)));
  return block("group", [group.Name], body);
}

function taskBlock(task: NomadTask, warnings: string[]): Item {
  const env = Object.entries(task.Env).filter(([name]) => {
    if (IDENTIFIER.test(name)) return true;
    warnings.push(`${task.Name}: its variable ${JSON.stringify(name)} cannot be a key of an HCL \`env\` block and is left out: use --format json`);
    return false;
  });
  const { RestartPolicy: restart } = task;
  const body: Item[] = [
    attribute("driver", task.Driver),
    block(
      "config",
      [],
      Object.entries(task.Config).map(([key, value]) => attribute(key, value)),
    ),
    block(
      "env",
      [],
      env.map(([name, value]) => attribute(name, value)),
    ),
    attribute("kill_signal", task.KillSignal),
    attribute("kill_timeout", duration(task.KillTimeout)),
    block(
      "restart",
      [],
      [
        attribute("attempts", restart.Attempts),
        attribute("interval", duration(restart.Interval)),
        attribute("delay", duration(restart.Delay)),
        attribute("mode", restart.Mode),
      ],
    ),
  ];
  if (task.Lifecycle) body.push(block("lifecycle", [], [attribute("hook", task.Lifecycle.Hook), attribute("sidecar", task.Lifecycle.Sidecar)]));
  for (const service of task.Services ?? []) {
    body.push(
      block(
        "service",
        [],
        [
          attribute("name", service.Name),
          attribute("port", service.PortLabel),
          attribute("provider", service.Provider),
          ...(service.Checks ?? []).map(checkBlock),
        ],
      ),
    );
  }
  return block("task", [task.Name], body);
}

function checkBlock(check: NomadCheck): Item {
  return block(
    "check",
    [],
    [
      attribute("type", check.Type),
      ...(check.PortLabel === undefined ? [] : [attribute("port", check.PortLabel)]),
      ...(check.Path === undefined ? [] : [attribute("path", check.Path)]),
      attribute("interval", duration(check.Interval)),
      attribute("timeout", duration(check.Timeout)),
    ],
  );
}

function duration(nanoseconds: number): string {
  return engineDuration(nanoseconds / 1_000_000);
}

function attribute(name: string, value: Value): Item {
  return { attribute: name, value };
}

function block(type: string, labels: string[], body: Item[]): Item {
  return { block: type, labels, body };
}

/** Items at `depth`: attributes in a row aligned on `=` (as `nomad fmt` does), a blank line around blocks. */
function render(items: readonly Item[], depth: number): string {
  const indent = "  ".repeat(depth);
  let out = "";
  let previous: "attributes" | "block" | "empty block" | undefined;
  const add = (kind: NonNullable<typeof previous>, text: string) => {
    // Empty blocks in a row (the ports of a network) stay together.
    if (previous !== undefined && !(kind === "empty block" && previous === kind)) out += "\n";
    out += text;
    previous = kind;
  };
  let run: Array<{ attribute: string; value: Value }> = [];
  const flush = () => {
    if (!run.length) return;
    const width = Math.max(...run.map((item) => item.attribute.length));
    add("attributes", run.map((item) => `${indent}${item.attribute.padEnd(width)} = ${value(item.value)}\n`).join(""));
    run = [];
  };
  for (const item of items) {
    if ("attribute" in item) {
      run.push(item);
      continue;
    }
    flush();
    const head = `${indent}${[item.block, ...item.labels.map(quoted)].join(" ")} {`;
    if (item.body.length) add("block", `${head}\n${render(item.body, depth + 1)}${indent}}\n`);
    else add("empty block", `${head}}\n`);
  }
  flush();
  return out;
}

function value(value: Value): string {
  if (Array.isArray(value)) return `[${value.map(template).join(", ")}]`;
  return typeof value === "string" ? template(value) : String(value);
}

/** A block label: a plain string, where `${` means nothing. */
function quoted(text: string): string {
  return `"${escape(text)}"`;
}

/**
 * A string as an HCL template that evaluates to `text`. `${NOMAD_…}` stays an interpolation: Nomad's HCL parser
 * keeps a reference it does not know as written, for the client to fill in when the task starts (as it does
 * in the JSON job). Every other `${` and `%{` is a literal, escaped as `$${` and `%%{`.
 */
function template(text: string): string {
  const parts = text.split(/(\$\{NOMAD_[A-Za-z0-9_]+\})/);
  return `"${parts
    .map((part, index) =>
      index % 2 === 1
        ? part
        : escape(part)
            .replace(/\$\{/g, () => "$${")
            .replace(/%\{/g, () => "%%{"),
    )
    .join("")}"`;
}

function escape(text: string): string {
  return text.replace(/[\\"\u0000-\u001f\u007f]/g, (char) => {
    switch (char) {
      case "\\":
        return "\\\\";
      case '"':
        return '\\"';
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
}
