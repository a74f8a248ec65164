// `portmate export nomad`: golden files for the demo and every example, the JSON job checked against a schema of
// the subset portmate writes, and the HCL jobspec parsed back (by HashiCorp's HCL parser, built to wasm) and
// compared with the JSON job, so that both formats are shown to say the same. There is no Nomad agent here.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { exportConfig, type ExportOptions } from "../../src/export/export.js";
import type { NomadJob } from "../../src/export/nomad-job.js";
import { EXPORT_SOURCES, expectGolden } from "../support/export-helpers.js";
import { CLI, ROOT, runCli, tempProject, yaml } from "../support/helpers.js";

const validateNomad = (() => {
  const schema = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "nomad", "nomad-job-subset.schema.json"), "utf8")) as Record<string, unknown>;
  return new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
})();

type Options = Omit<ExportOptions, "target" | "format">;

/** The JSON job of `options`, checked against the schema. */
function nomadJson(options: Options): { job: NomadJob; text: string; warnings: string[] } {
  const result = exportConfig({ ...options, target: "nomad", format: "json" });
  expect(result.files).toHaveLength(1);
  const text = result.files[0]?.text ?? "";
  const document = JSON.parse(text) as { Job: NomadJob };
  expect(validateNomad(document), JSON.stringify(validateNomad.errors, null, 2)).toBe(true);
  return { job: document.Job, text, warnings: result.warnings };
}

function nomadHcl(options: Options): { text: string; warnings: string[] } {
  const result = exportConfig({ ...options, target: "nomad", format: "hcl" });
  expect(result.files).toHaveLength(1);
  return { text: result.files[0]?.text ?? "", warnings: result.warnings };
}

/** A Go duration (`1m30s`, `500ms`) in nanoseconds. */
function goDuration(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let ms = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)(ms|h|m|s)/g)) ms += Number(count) * (units[unit ?? ""] ?? NaN);
  expect(text.replace(/(\d+)(ms|h|m|s)/g, ""), `${text} is a Go duration`).toBe("");
  return ms * 1_000_000;
}

/**
 * hcl2json writes what it parsed as Terraform's JSON syntax, where strings are templates: a literal `${` comes
 * back as `$${` (and `%{` as `%%{`, when it has to be), and an interpolation as its source, `${NOMAD_PORT_x}`,
 * which is the string Nomad keeps.
 */
function hclString(value: unknown): string {
  expect(typeof value).toBe("string");
  return (value as string).replace(/\$\$\{|%%\{/g, (escaped) => escaped.slice(1));
}

function hclStrings(record: Record<string, unknown>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, Array.isArray(value) ? value.map(hclString) : hclString(value)]));
}

type Blocks = Record<string, any[]>;

/** The one body of a block that may appear once. */
function only(blocks: any[] | undefined): any {
  expect(blocks).toHaveLength(1);
  return blocks?.[0];
}

/** The parsed HCL jobspec as Nomad's JSON job: `task "x" { driver = … }` ↔ `Tasks[].Name/Driver`. */
function hclAsJob(parsed: { job: Blocks }): NomadJob {
  const [[id, jobBodies]] = Object.entries(parsed.job) as [[string, any[]]];
  const job = only(jobBodies);
  return {
    ID: id,
    Name: id,
    Type: job.type,
    Datacenters: job.datacenters,
    TaskGroups: Object.entries(job.group as Blocks).map(([name, bodies]) => {
      const group = only(bodies);
      const reschedule = only(group.reschedule);
      return {
        Name: name,
        Count: group.count,
        ...(group.network ? { Networks: group.network.map((network: any) => ({ DynamicPorts: Object.keys(network.port).map((Label) => ({ Label })) })) } : {}),
        ReschedulePolicy: { Attempts: reschedule.attempts, Unlimited: reschedule.unlimited },
        Tasks: Object.entries(group.task as Blocks).map(([taskName, taskBodies]) => {
          const task = only(taskBodies);
          const restart = only(task.restart);
          return {
            Name: taskName,
            Driver: task.driver,
            Config: hclStrings(only(task.config)),
            Env: hclStrings(only(task.env)) as Record<string, string>,
            KillSignal: task.kill_signal,
            KillTimeout: goDuration(task.kill_timeout),
            RestartPolicy: { Attempts: restart.attempts, Interval: goDuration(restart.interval), Delay: goDuration(restart.delay), Mode: restart.mode },
            ...(task.lifecycle ? { Lifecycle: { Hook: only(task.lifecycle).hook, Sidecar: only(task.lifecycle).sidecar } } : {}),
            ...(task.service
              ? {
                  Services: task.service.map((service: any) => ({
                    Name: service.name,
                    PortLabel: service.port,
                    Provider: service.provider,
                    ...(service.check
                      ? {
                          Checks: service.check.map((check: any) => ({
                            Type: check.type,
                            ...(check.port === undefined ? {} : { PortLabel: check.port }),
                            ...(check.path === undefined ? {} : { Path: hclString(check.path) }),
                            Interval: goDuration(check.interval),
                            Timeout: goDuration(check.timeout),
                          })),
                        }
                      : {}),
                  })),
                }
              : {}),
          };
        }),
      };
    }),
  };
}

/** The parser gives blocks by label, in sorted order: compare groups, tasks and ports in one order. */
function sorted(job: NomadJob): NomadJob {
  const byName = <T extends { Name: string }>(items: T[]) => [...items].sort((a, b) => a.Name.localeCompare(b.Name));
  return {
    ...job,
    TaskGroups: byName(job.TaskGroups).map((group) => ({
      ...group,
      ...(group.Networks
        ? { Networks: group.Networks.map((network) => ({ DynamicPorts: [...network.DynamicPorts].sort((a, b) => a.Label.localeCompare(b.Label)) })) }
        : {}),
      Tasks: byName(group.Tasks),
    })),
  };
}

/** Parses the HCL back and expects the JSON job of the same options. */
async function expectSameJob(options: Options): Promise<void> {
  const { job } = nomadJson(options);
  const { text } = nomadHcl(options);
  const parsed = (await parseHcl("job.nomad.hcl", text)) as { job: Blocks };
  expect(sorted(hclAsJob(parsed))).toEqual(sorted(job));
}

const DEMO = join(ROOT, "portmate.yaml");
const JOBS = join(ROOT, "examples", "jobs-and-checks.yaml");

describe("export nomad", () => {
  it.each(EXPORT_SOURCES)("exports $name as a valid job, JSON and HCL, the same as last time", ({ name, file }) => {
    const json = nomadJson({ file });
    const hcl = nomadHcl({ file });
    expectGolden(`nomad/${name}.json`, json.text);
    expectGolden(`nomad/${name}.hcl`, hcl.text);
    expectGolden(`nomad/${name}.warnings.txt`, json.warnings.map((line) => `${line}\n`).join(""));
    expect(hcl.warnings).toEqual(json.warnings);
  });

  it.each(EXPORT_SOURCES)("writes $name in HCL that parses back to the JSON job", async ({ file }) => {
    await expectSameJob({ file });
    await expectSameJob({ file, instances: 2 });
  });

  it("wires the demo through Nomad's port variables, in one group", () => {
    const { job } = nomadJson({ file: DEMO });
    expect(job.ID).toBe("demo");
    const [group] = job.TaskGroups;
    expect(group?.Networks?.[0]?.DynamicPorts.map((port) => port.Label)).toEqual(["backend", "ui", "admin_http", "admin_metrics"]);
    const task = (name: string) => group?.Tasks.find((candidate) => candidate.Name === name);
    expect(task("ui")?.Env.API_URL).toBe("http://${NOMAD_ADDR_backend}");
    expect(task("ui")?.Env.PORT).toBe("${NOMAD_PORT_ui}");
    expect(task("admin")?.Env.METRICS_PORT).toBe("${NOMAD_PORT_admin_metrics}");
    expect(task("admin")?.Env.UI_URL).toBe("http://${NOMAD_ADDR_ui}");
    expect(task("backend")?.Env.HOST).toBe("0.0.0.0");
    expect(task("backend")?.Config).toEqual({
      image: "portmate-demo:latest",
      command: "node",
      args: ["examples/demo/backend.js", "--port", "${NOMAD_PORT_backend}"],
      network_mode: "host",
    });
    expect(task("backend")?.Services).toEqual([
      { Name: "demo-backend", PortLabel: "backend", Provider: "nomad", Checks: [{ Type: "http", Path: "/health", Interval: 1e9, Timeout: 1e9 }] },
    ]);
    expect(task("ui")?.Services?.[0]?.Checks).toEqual([{ Type: "http", Path: "/", Interval: 1e9, Timeout: 1e9 }]);
    expect(task("backend")?.KillTimeout).toBe(10e9);
    expect(task("backend")?.KillSignal).toBe("SIGTERM");
  });

  it("runs the completed one-off job as a prestart task, and says what it cannot carry over", () => {
    const { job, warnings } = nomadJson({ file: JOBS });
    const tasks = job.TaskGroups[0]?.Tasks ?? [];
    expect(tasks.find((task) => task.Name === "migrate")?.Lifecycle).toEqual({ Hook: "prestart", Sidecar: false });
    expect(tasks.filter((task) => task.Lifecycle).map((task) => task.Name)).toEqual(["migrate"]);
    const api = tasks.find((task) => task.Name === "api");
    expect(api?.Services?.[0]?.Checks).toBeUndefined();
    expect(tasks.find((task) => task.Name === "report")?.Config.args).toEqual(["-c", 'echo "api on port $API_PORT" | tr a-z A-Z && sleep 3600']);
    expect(warnings).toContain("api: its `log` health check (/backend listening on/) has no Nomad equivalent and is left out");
    expect(warnings).toContain("worker: its `command` health check is left out: Nomad's own service checks are http and tcp (script checks need Consul)");
    expect(warnings).toContain("worker: starts together with api, not once it is healthy: Nomad starts the main tasks of a group at once");
    expect(warnings.some((line) => line.startsWith("api: waits for migrate"))).toBe(false);
  });

  it("gives each instance a group of its own, with its own ports and service names", () => {
    const { job } = nomadJson({ file: DEMO, instances: 3 });
    expect(job.TaskGroups.map((group) => group.Name)).toEqual(["instance-1", "instance-2", "instance-3"]);
    expect(job.TaskGroups.map((group) => group.Count)).toEqual([1, 1, 1]);
    const backends = job.TaskGroups.map((group) => group.Tasks.find((task) => task.Name === "backend"));
    expect(backends.map((task) => task?.Services?.[0]?.Name)).toEqual(["demo-backend", "demo-2-backend", "demo-3-backend"]);
    expect(backends.map((task) => task?.Env.PORTMATE_INSTANCE)).toEqual(["1", "2", "3"]);
  });

  it("runs a service without an image with raw_exec in its folder, and one with an image with docker", () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        name: shop_front
        services:
          db:
            command: node db.js --port \${port}
            image: redis:7
            url: redis
            stop_timeout: 1m
          api:
            command: node api.js --db \${services.db.url}
            cwd: .
            restart: on-failure
            health:
              http: { path: /ready, status: 204 }
      `,
    });
    const { job, warnings } = nomadJson({ file: join(dir, "portmate.yaml") });
    expect(job.ID).toBe("shop-front");
    const [db, api] = job.TaskGroups[0]?.Tasks ?? [];
    expect(db?.Driver).toBe("docker");
    expect(api?.Driver).toBe("raw_exec");
    expect(api?.Config).toEqual({ command: "node", args: ["api.js", "--db", "http://${NOMAD_ADDR_db}"], work_dir: dir });
    expect(api?.RestartPolicy).toEqual({ Attempts: 10, Interval: 40e9, Delay: 1e9, Mode: "fail" });
    expect(db?.RestartPolicy.Attempts).toBe(0);
    expect(warnings).toContain(
      `api: has no \`image\`, so it runs on the Nomad client with the raw_exec driver (off unless the client enables it), in ${dir}: the client needs the same files there`,
    );
    expect(warnings).toContain("api: Nomad's http check passes on any 2xx status, not only on 204");
    expect(warnings).toContain("db: its stop_timeout (1m) is past the 30s a Nomad client allows unless its max_kill_timeout is raised");
    expect(warnings).toContain("db: `restart: no`: once it exits, Nomad counts the task as failed and stops the other tasks of its group");
    expect(warnings.some((line) => line.startsWith("api: Nomad restarts it at most 10 times in 40s, 1s apart"))).toBe(true);
  });

  it("escapes in HCL what is literal, and keeps Nomad's runtime variables", async () => {
    // `$${` is portmate's literal `${` (for the shell here), so Nomad's HCL must say it literally too.
    const config = [
      "name: quoting",
      "services:",
      "  api:",
      "    image: alpine:3",
      "    shell: true",
      "    url: http",
      '    command: echo "$${GREETING:-hi} %{x}" \\ && sleep 1',
      "    env:",
      '      MULTI: "line one\\nline \\"two\\"\\ttab"',
      "      SELF: ${url}/x",
      "",
    ].join("\n");
    const dir = tempProject({ "portmate.yaml": config });
    const options = { file: join(dir, "portmate.yaml") };
    const { text, warnings } = nomadHcl(options);
    expect(text).toContain('"echo \\"$${GREETING:-hi} %%{x}\\" \\\\ && sleep 1"');
    expect(text).toContain('SELF              = "http://${NOMAD_ADDR_api}/x"');
    expect(text).toContain('MULTI             = "line one\\nline \\"two\\"\\ttab"');
    expect(warnings).toContain(
      "api: Nomad reads `${NAME}` in its command and env as a runtime variable when NAME is one (a task's env, NOMAD_…): there is no escape",
    );
    await expectSameJob(options);
  });
});

describe("portmate export nomad (CLI)", () => {
  it("writes the job to -o, as HCL with --format hcl", async () => {
    const dir = tempProject({ "portmate.yaml": "name: shop\nservices: { api: { command: node api.js, image: node:20 } }\n" });
    const json = await runCli(["export", "nomad", "-o", "out/job.json"], { cwd: dir });
    expect(json.exitCode, json.all).toBe(0);
    expect(json.stderr).toContain("wrote out/job.json");
    expect(json.stdout).toBe("");
    expect(validateNomad(JSON.parse(readFileSync(join(dir, "out", "job.json"), "utf8")))).toBe(true);
    const hcl = await runCli(["export", "nomad", "--format", "hcl"], { cwd: dir });
    expect(hcl.exitCode, hcl.all).toBe(0);
    expect(hcl.stdout).toMatch(/^# Nomad job of portmate.yaml \(project shop\)/);
    expect(hcl.stdout).toContain('job "shop" {');
    expect(hcl.stderr).toContain("warning: every task gets Nomad's default resources");
  });

  it("is not in what `portmate up` loads: the CLI reaches it only through the export command's lazy import", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // Static imports only: `import("…")` is loaded when a command needs it.
      for (const [, path] of text.matchAll(/(?:^|[;\n])\s*(?:import|export)\s[^;("']*?from\s*["'](\.[^"']+)["']/g)) visit(join(dirname(file), path ?? ""));
      for (const [, path] of text.matchAll(/(?:^|[;\n])\s*import\s*["'](\.[^"']+)["']/g)) visit(join(dirname(file), path ?? ""));
    };
    expect(existsSync(CLI), "npm run build first").toBe(true);
    const main = /import\("(\.\/chunks\/main-[^"]+)"\)/.exec(readFileSync(CLI, "utf8"))?.[1];
    expect(main).toBeDefined();
    visit(join(dirname(CLI), main ?? ""));
    const eager = [...seen].filter((file) => readFileSync(file, "utf8").includes("NOMAD_ADDR_"));
    expect(eager).toEqual([]);
    expect(seen.size).toBeGreaterThan(1);
  });
});
