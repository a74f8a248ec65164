import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { ROOT } from "./helpers.js";

/**
 * Inputs for the config fuzzer (config-fuzz.test.ts): every arbitrary gives the text of a portmate.yaml.
 * Three families: random YAML text, random documents shaped like a config, and mutations of valid configs.
 */

/** The command of a service that would leave a `started-PID` file behind if it ever ran (see fuzz-outcome.ts). */
export const MARK = "node marker.js";

/** Variables the fuzzer's environment sets; anything else a template names is unset. */
export const FUZZ_ENV = { FUZZ_SET: "value", FUZZ_EMPTY: "", FUZZ_PORT: "8080" } as const;

const SERVICE_KEYS = [
  "command",
  "args",
  "cwd",
  "env",
  "env_file",
  "shell",
  "port",
  "ports",
  "depends_on",
  "health",
  "restart",
  "stop_signal",
  "stop_timeout",
  "disabled",
  "strict",
  "announce",
  "tunnel",
  "image",
  "build",
  "provider",
  "url_pattern",
  "remote_port",
  "x-extra",
  "constructor",
  "__proto__",
];
const HEALTH_KEYS = ["http", "tcp", "command", "log", "interval", "timeout"];
const TOP_KEYS = ["name", "ports", "env_file", "services", "x-common", "version"];
const NAMES = ["api", "ui", "db", "worker", "a", "b", "my-api", "Api", "x_1", "-bad", "ünï", "services", "9", "line\nbreak"];

/** Strings that end up quoted in messages and must not break them over several lines. */
const MULTILINE = ["a\nb", "x\r\ny", "\n", "tab\there", "\u2028", "${FUZZ_UNSET:?two\nlines}", "${\n}", "(\n", "node 'x\ny", "/health\n"];

/** Template texts: valid and invalid references, set, unset and required variables, odd forms. */
const TEMPLATES = [
  "${port}",
  "${url}",
  "${host}",
  "${instance}",
  "${project}",
  "${ports.http}",
  "${ports.metrics}",
  "${ports.}",
  "${ports}",
  "${services.api.port}",
  "${services.api.url}",
  "${services.api.ports.http}",
  "${services.ui.port}",
  "${services.nope.url}",
  "${services.api}",
  "${services.api.host}",
  "${services..port}",
  "${services.api.ports.}",
  "${services.api.ports.a.b}",
  "${port.x}",
  "${FUZZ_SET}",
  "${FUZZ_UNSET}",
  "${FUZZ_EMPTY:-default}",
  "${FUZZ_UNSET:?is needed}",
  "${FUZZ_UNSET?}",
  "${FUZZ_EMPTY:?}",
  "${FUZZ_SET:+other}",
  "${FUZZ_UNSET-${port}}",
  "${FUZZ_UNSET:-${services.nope.port}}",
  "${FUZZ_UNSET:-${FUZZ_UNSET2:-${FUZZ_SET}}}",
  "${FUZZ_UNSET:?${FUZZ_UNSET2:?nested}}",
  "$FUZZ_SET",
  "$$",
  "$${port}",
  "$",
  "${",
  "${port",
  "${}",
  "${ port }",
  "${1abc}",
  "${a.b}",
  "${FUZZ_SET:}",
  "${FUZZ_SET:x}",
  "}${",
  "${${port}}",
  "${{}}",
  // Names an object has without being given them.
  "${ports.constructor}",
  "${services.api.ports.toString}",
  "${ports.__proto__}",
  "${constructor}",
  "${toString:?must be set}",
  "${hasOwnProperty:-x}",
];

const DURATIONS = [
  "0ms",
  "0s",
  "1ms",
  "250ms",
  "5s",
  "1m",
  "1h",
  "1m30s",
  "0.5s",
  "-1s",
  "1",
  "1.s",
  "99999999999999999999h",
  "1e3s",
  "1 s",
  "",
  "s",
  "9".repeat(400) + "ms",
  "1h1h1h1h",
  "0.0000001ms",
  "2562047788015h",
  // Near the rounding edges of the units durations are shown in.
  "999.6ms",
  "9960ms",
  "59.99s",
  "1m59.6s",
  "59m59.9s",
  "596h31m23.647s",
  "596h31m23.648s",
];

const NUMBERS = [0, -1, 1, 80, 1024, 8000, 65535, 65536, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -0, 0.5, 8000.5];

const STRINGS = [
  "",
  " ",
  "\t",
  "auto",
  "none",
  "true",
  "null",
  "~",
  "8000",
  "0x1F",
  "1e3",
  "SIGTERM",
  "SIGNOPE",
  "SIG",
  "/health",
  "health",
  "/",
  "(",
  "[",
  "*",
  "a\nb",
  "\u0000",
  "é",
  "💥",
  "\u202e",
  "x".repeat(5000),
  "8000-9000",
  "9000-8000",
  "0-0",
  "1-65535",
  "99999-1",
  "-",
  "a-b",
  " 8000 - 9000 ",
];

/** A value of any type, with a leaning towards the ones that break things. */
export const weirdValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<unknown>(null, true, false, ...NUMBERS, ...STRINGS, ...DURATIONS, ...TEMPLATES, MARK, [], {}),
    fc.constantFrom<unknown>(...MULTILINE),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.integer(),
    fc.double(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...SERVICE_KEYS, ...HEALTH_KEYS, ...NAMES), tie("value"), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

const duration = fc.oneof(
  fc.constantFrom(...DURATIONS),
  fc.tuple(fc.nat(100_000), fc.constantFrom("ms", "s", "m", "h")).map(([n, unit]) => `${n}${unit}`),
);
const templated = fc
  .array(fc.oneof(fc.constantFrom(...TEMPLATES), fc.constantFrom("node", "marker.js", "--port", " ", "'", '"', "\\", "=", "x")), {
    maxLength: 5,
  })
  .map((parts) => parts.join(""));
const commandLine = fc.oneof(
  fc.constant<unknown>(MARK),
  templated.map((text) => `${MARK} ${text}`),
  fc.array(fc.oneof(fc.constant<unknown>("node"), fc.constant<unknown>("marker.js"), templated, weirdValue), { maxLength: 4 }),
  fc.constantFrom<unknown>("", "nonexistent-program-xyz", "./missing.sh", "/bin/true", "node 'unclosed", 'node "x', "node \\", "${FUZZ_SET}"),
);

/** Sometimes the right kind of value, sometimes anything. */
function mostly<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: weirdValue });
}

const serviceName = fc.constantFrom(...NAMES);

const health = fc.record(
  {
    http: mostly(
      fc.oneof(
        fc.constantFrom("/", "/health", "/${FUZZ_SET}", "/${services.api.port}"),
        fc.record(
          {
            path: mostly(fc.constant("/x")),
            status: mostly(fc.integer({ min: 100, max: 599 })),
            host: mostly(fc.constant("localhost")),
            port: mostly(fc.constantFrom("http", "metrics", "default")),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    tcp: mostly(fc.constantFrom<unknown>(true, "http", "metrics", "default")),
    command: mostly(commandLine),
    log: mostly(fc.constantFrom("ready", "(", "^listening on \\d+$", "[", "a{2,1}", "(?<n>x)\\k<m>")),
    interval: mostly(duration),
    timeout: mostly(duration),
  },
  { requiredKeys: [] },
);

const service = fc.record(
  {
    command: commandLine,
    args: mostly(fc.array(fc.oneof(templated, fc.integer()), { maxLength: 3 })),
    cwd: mostly(fc.constantFrom(".", "sub", "missing", "/", "..", "marker.js")),
    env: mostly(
      fc.dictionary(fc.constantFrom("A", "API_URL", "PORT", "PATH", "1X", "a-b"), fc.oneof(templated, weirdValue), { maxKeys: 3, noNullPrototype: true }),
    ),
    env_file: mostly(fc.constantFrom<unknown>(".env", "missing.env", [".env", ".env"], [], "sub", "marker.js")),
    shell: mostly(fc.boolean()),
    port: mostly(fc.oneof(fc.constantFrom<unknown>("auto", "none"), fc.integer({ min: 1, max: 65535 }))),
    ports: mostly(
      fc.dictionary(fc.constantFrom("http", "metrics", "default", "1x"), fc.oneof(fc.constant<unknown>("auto"), fc.integer({ min: 1, max: 65535 })), {
        maxKeys: 3,
        noNullPrototype: true,
      }),
    ),
    depends_on: mostly(
      fc.oneof(
        fc.array(serviceName, { maxLength: 3 }),
        fc.dictionary(serviceName, fc.constantFrom<unknown>("started", "healthy", "completed", "ready"), { maxKeys: 3, noNullPrototype: true }),
      ),
    ),
    health: mostly(health),
    restart: mostly(
      fc.oneof(
        fc.constantFrom<unknown>("no", "on-failure", "always", "sometimes"),
        fc.record(
          { policy: mostly(fc.constantFrom("no", "always")), max_restarts: mostly(fc.nat()), delay: mostly(duration), max_delay: mostly(duration) },
          { requiredKeys: ["policy"] },
        ),
      ),
    ),
    stop_signal: mostly(fc.constantFrom("SIGTERM", "SIGINT", "SIGKILL", "SIGNOPE", "SIGRTMIN", "TERM")),
    stop_timeout: mostly(duration),
    disabled: mostly(fc.boolean()),
    strict: mostly(fc.boolean()),
    announce: mostly(fc.boolean()),
  },
  { requiredKeys: ["command"] },
);

/** A random document shaped like a portmate config, with wrong types and values here and there. */
export const structuredConfig: fc.Arbitrary<unknown> = fc.record(
  {
    name: mostly(fc.constantFrom("demo", "Demo", "-x", "a_b-1", "")),
    ports: mostly(fc.record({ range: mostly(fc.constantFrom(...STRINGS.filter((s) => s.includes("-")), "8000-8010")) }, { requiredKeys: [] })),
    env_file: mostly(fc.constantFrom<unknown>(".env", "missing.env")),
    services: mostly(fc.dictionary(serviceName, mostly(service), { minKeys: 1, maxKeys: 4, noNullPrototype: true })),
    "x-common": mostly(fc.constant({ command: MARK })),
  },
  { requiredKeys: ["services"] },
);

/** Ways to write data as YAML: block or flow, quoted or not, with or without anchors for repeated objects. */
const yamlStyle = fc.record({
  flowLevel: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  defaultStringType: fc.constantFrom("PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL") as fc.Arbitrary<
    "PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE" | "BLOCK_LITERAL"
  >,
  indent: fc.integer({ min: 1, max: 4 }),
});

function toYaml(
  data: unknown,
  style: { flowLevel?: number | undefined; defaultStringType: "PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE" | "BLOCK_LITERAL"; indent: number },
): string {
  const options: Parameters<typeof stringify>[2] = { defaultStringType: style.defaultStringType, indent: style.indent, lineWidth: 0 };
  if (style.flowLevel !== undefined) Object.assign(options, { collectionStyle: "block" });
  const text = stringify(data, options);
  if (style.flowLevel === 0) return stringify(data, { ...options, collectionStyle: "flow" });
  return text;
}

/** The valid configs mutations start from: the examples, the demo at the root, and configs covering every key. */
export function validConfigs(): Array<{ name: string; text: string }> {
  const examples = readdirSync(join(ROOT, "examples"))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => ({ name: `examples/${name}`, text: readFileSync(join(ROOT, "examples", name), "utf8") }));
  return [{ name: "portmate.yaml", text: readFileSync(join(ROOT, "portmate.yaml"), "utf8") }, ...examples, ...EVERY_KEY];
}

/** Valid configs that use every key of the schema at least once, in the forms the tests use. */
const EVERY_KEY = [
  {
    name: "every key",
    text: `name: every-key
ports:
  range: 8000-8100
env_file: .env
x-common:
  signal: &signal SIGINT
services:
  api:
    stop_signal: *signal
    command: ${MARK} --port \${port}
    args: [--name, "\${project}", 3]
    cwd: .
    env: { A: 1, B: true, C: "\${FUZZ_SET:-x}", D: $$literal }
    env_file: [.env]
    ports: { http: auto, metrics: 9100 }
    health: { http: { path: /health, status: 200, host: 127.0.0.1, port: metrics }, interval: 250ms, timeout: 1m30s }
    restart: { policy: on-failure, max_restarts: 3, delay: 500ms, max_delay: 5s }
    stop_timeout: 2s
    strict: true
    image: node:20-alpine
    build: { context: ., dockerfile: Dockerfile, args: { A: 1 } }
    tunnel: { provider: ssh, host: example.com, user: me, port: 2222, remote_port: 0, url: "https://x.example.com:\${remote_port}", identity: key, args: [-o, A=b], target: http, required: false, enabled: false, verify: /health, timeout: 10s }
  ui:
    command: [node, marker.js, "\${services.api.url}", "\${services.api.ports.metrics}"]
    depends_on: { api: healthy }
    port: 8001
    health: { tcp: true }
    restart: always
    build: .
    tunnel: { command: "node marker.js \${port}", url_pattern: "https://\\\\S+", verify: false }
  job:
    command: node marker.js && echo \${instance}
    shell: true
    port: none
    depends_on: [api]
    health: { command: "node marker.js" }
    disabled: true
  engine:
    command: ${MARK}
    announce: true
    health: { log: "listening on \\\\d+" }
    tunnel: ngrok
  front:
    command: ${MARK} \${services.engine.url}
    depends_on: { engine: started, job: completed }
`,
  },
];

type Mutation =
  | { op: "delete" | "duplicate-line" | "delete-line" | "indent" | "dedent"; at: number }
  | { op: "replace" | "wrap"; at: number; value: unknown }
  | { op: "template"; at: number; template: string }
  | { op: "cycle"; at: number; other: number }
  | { op: "duration"; at: number; key: number; value: unknown }
  | { op: "insert-text"; at: number; text: string };

const TEXT_SNIPPETS = [
  ":",
  ": ",
  "- ",
  "[",
  "]",
  "{",
  "}",
  ",",
  "&a ",
  "*a",
  "*nope",
  "!!str ",
  "!!int ",
  "!!binary ",
  "!tag ",
  "? ",
  "|",
  ">-",
  "'",
  '"',
  "#",
  "\t",
  "\n",
  "\r\n",
  "---\n",
  "...\n",
  "\uFEFF",
  "<<: *a\n",
  "%YAML 1.1\n",
  "${",
  "}",
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom("delete", "duplicate-line", "delete-line", "indent", "dedent"), at: fc.nat() }) as fc.Arbitrary<Mutation>,
  fc.record({ op: fc.constantFrom("replace", "wrap"), at: fc.nat(), value: weirdValue }) as fc.Arbitrary<Mutation>,
  fc.record({ op: fc.constant("replace"), at: fc.nat(), value: duration }) as fc.Arbitrary<Mutation>,
  fc.record({ op: fc.constant("template"), at: fc.nat(), template: fc.constantFrom(...TEMPLATES) }) as fc.Arbitrary<Mutation>,
  fc.record({ op: fc.constant("cycle"), at: fc.nat(), other: fc.nat() }) as fc.Arbitrary<Mutation>,
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("duration"), at: fc.nat(), key: fc.nat({ max: 4 }), value: mostly(duration) }) as fc.Arbitrary<Mutation>,
  },
  fc.record({
    op: fc.constant("insert-text"),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TEXT_SNIPPETS), fc.string({ maxLength: 4 })),
  }) as fc.Arbitrary<Mutation>,
);

type Container = Record<string, unknown> | unknown[];

/** Every (container, key) of the data, depth first, so a mutation can pick one by index. */
function slots(data: unknown, out: Array<[Container, string | number]> = []): Array<[Container, string | number]> {
  if (Array.isArray(data)) {
    data.forEach((value, index) => {
      out.push([data, index]);
      slots(value, out);
    });
  } else if (data && typeof data === "object") {
    for (const [key, value] of Object.entries(data)) {
      out.push([data as Record<string, unknown>, key]);
      slots(value, out);
    }
  }
  return out;
}

function applyToData(data: unknown, mutation: Mutation): void {
  const all = slots(data);
  const slot = all[mutation.at % Math.max(all.length, 1)];
  if (!slot) return;
  const [container, key] = slot;
  const get = () => (container as Record<string | number, unknown>)[key];
  const set = (value: unknown) => ((container as Record<string | number, unknown>)[key] = value);
  switch (mutation.op) {
    case "delete":
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      return;
    case "replace":
      set(mutation.value);
      return;
    case "wrap": {
      const value = get();
      set(Array.isArray(mutation.value) ? [value] : typeof value === "string" ? Number(value) || { [value]: value } : (JSON.stringify(value) ?? ""));
      return;
    }
    case "template": {
      const value = get();
      set(typeof value === "string" ? `${value}${mutation.template}` : mutation.template);
      return;
    }
    case "cycle": {
      const services = (data as { services?: unknown }).services;
      if (!services || typeof services !== "object") return;
      const names = Object.keys(services);
      const from = names[mutation.at % Math.max(names.length, 1)];
      const to = names[mutation.other % Math.max(names.length, 1)];
      const entry = from === undefined ? undefined : (services as Record<string, unknown>)[from];
      if (to === undefined || !entry || typeof entry !== "object") return;
      const deps = (entry as { depends_on?: unknown }).depends_on;
      if (Array.isArray(deps)) deps.push(to);
      else if (deps && typeof deps === "object") (deps as Record<string, unknown>)[to] = "started";
      else (entry as Record<string, unknown>).depends_on = [to];
      return;
    }
    case "duration": {
      // A duration of one service, where it is one: health.interval, health.timeout, stop_timeout, restart.delay.
      const services = (data as { services?: unknown }).services;
      if (!services || typeof services !== "object") return;
      const entries = Object.values(services).filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === "object");
      const entry = entries[mutation.at % Math.max(entries.length, 1)];
      if (!entry) return;
      const [parent, key] = DURATION_KEYS[mutation.key % DURATION_KEYS.length] as [string | undefined, string];
      if (parent === undefined) entry[key] = mutation.value;
      else
        entry[parent] = {
          ...(typeof entry[parent] === "object" ? (entry[parent] as object) : parent === "restart" ? { policy: "on-failure" } : {}),
          [key]: mutation.value,
        };
      return;
    }
    default:
      return;
  }
}

const DURATION_KEYS: Array<[string | undefined, string]> = [
  ["health", "interval"],
  ["health", "timeout"],
  [undefined, "stop_timeout"],
  ["restart", "delay"],
  ["restart", "max_delay"],
];

function applyToText(text: string, mutation: Mutation): string {
  const lines = text.split("\n");
  const index = mutation.at % Math.max(lines.length, 1);
  switch (mutation.op) {
    case "duplicate-line":
      lines.splice(index, 0, lines[index] ?? "");
      return lines.join("\n");
    case "delete-line":
      lines.splice(index, 1);
      return lines.join("\n");
    case "indent":
      lines[index] = `  ${lines[index] ?? ""}`;
      return lines.join("\n");
    case "dedent":
      lines[index] = (lines[index] ?? "").replace(/^ {1,2}/, "");
      return lines.join("\n");
    case "insert-text": {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + mutation.text + text.slice(at);
    }
    default:
      return text;
  }
}

const DATA_OPS = new Set(["delete", "replace", "wrap", "template", "cycle", "duration"]);

/** A valid config changed by a few mutations, on its data (then written in some YAML style) or on its text. */
export const mutatedConfig: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...validConfigs()), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.option(yamlStyle, { nil: undefined }))
  .map(([base, mutations, style]) => {
    const dataMutations = mutations.filter((m) => DATA_OPS.has(m.op));
    let text = base.text;
    if (dataMutations.length) {
      const data = parse(base.text, { merge: true }) as unknown;
      for (const m of dataMutations) applyToData(data, m);
      text = style ? toYaml(data, style) : stringify(data, { lineWidth: 0 });
    }
    for (const m of mutations) if (!DATA_OPS.has(m.op)) text = applyToText(text, m);
    return text;
  });

/** A random config-shaped document, written in some YAML style, sometimes with a text mutation on top. */
export const structuredText: fc.Arbitrary<string> = fc
  .tuple(structuredConfig, yamlStyle, fc.array(mutation, { maxLength: 2 }))
  .map(([data, style, mutations]) => mutations.reduce((text, m) => applyToText(text, m), toYaml(data, style)));

const TOKENS = [
  ...TOP_KEYS,
  ...SERVICE_KEYS,
  ...HEALTH_KEYS,
  ...NAMES,
  ...TEXT_SNIPPETS,
  ...TEMPLATES,
  ...DURATIONS.slice(0, 8),
  " ",
  "  ",
  "\n",
  "\n  ",
  "\n    ",
  "\n      ",
  "- ",
  "&x ",
  "*x",
  "!!map ",
  "!!seq ",
  "!!null ",
  "!!float ",
  "!!timestamp ",
  "!<tag:yaml.org,2002:str> ",
  "0o17",
  "0x",
  ".inf",
  "-.inf",
  ".nan",
  "1e400",
  "2001-12-14",
  "null",
  "~",
  "yes",
  "? complex\n: key",
  "%TAG ! tag:x,2000:\n---\n",
  "\\u0000",
  "é",
  "😀",
  MARK,
];

/** Random YAML text: tokens, indentation, flow and block collections, anchors, tags, several documents. */
export const randomYaml: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((tokens) => tokens.join("")) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom("[", "{a: ", "- ", "services:\n", "[{"))
      .map(([depth, open]) => `services:\n  api:\n    command: ${MARK}\n    env: ${open.repeat(depth)}`),
  },
  {
    weight: 1,
    // Many aliases of aliases: a "billion laughs" document.
    arbitrary: fc.integer({ min: 1, max: 12 }).map((levels) => {
      let text = `a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
      for (let level = 1; level <= levels; level++)
        text += `a${level}: &a${level} [${Array(10)
          .fill(`*a${level - 1}`)
          .join(", ")}]\n`;
      return `${text}services:\n  api:\n    command: ${MARK}\n    x-big: *a${levels}\n`;
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom("command", "env:\n      A", "health:\n      log", "name", "ports:\n  range"))
      .map(([length, key]) => `services:\n  api:\n    command: ${MARK}\n    ${key}: ${"x".repeat(length)}\n`),
  },
);

/** Every kind of input, for the properties. */
export const anyConfigText: fc.Arbitrary<string> = fc.oneof(randomYaml, structuredText, { arbitrary: mutatedConfig, weight: 2 });
