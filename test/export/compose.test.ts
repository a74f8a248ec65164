// `portmate export compose`: golden files for the demo and every example, each checked against the upstream
// compose-spec schema, and the rewiring that makes the services find each other on a compose network.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { exportConfig } from "../../src/export/export.js";
import { EXPORT_SOURCES, expectGolden, oneServiceProject } from "../support/export-helpers.js";
import { ROOT, runCli, tempProject, yaml } from "../support/helpers.js";

/** The compose-spec schema (draft-07), compiled by ajv 8 once its `$schema` key is gone. */
const validateCompose = (() => {
  const schema = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "compose-spec", "compose-spec.schema.json"), "utf8")) as Record<string, unknown>;
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
})();

function expectValidCompose(text: string, name: string): Record<string, any> {
  const document = parse(text) as Record<string, any>;
  const valid = validateCompose(document);
  expect(valid, `${name}: ${JSON.stringify(validateCompose.errors, null, 2)}`).toBe(true);
  return document;
}

describe("export compose", () => {
  it.each(EXPORT_SOURCES)("exports $name as a valid compose file, the same as last time", ({ name, file }) => {
    const result = exportConfig({ file, target: "compose" });
    expect(result.files).toHaveLength(1);
    const text = result.files[0]?.text ?? "";
    expectValidCompose(text, name);
    expectGolden(`compose/${name}.yaml`, text);
    expectGolden(`compose/${name}.warnings.txt`, result.warnings.map((line) => `${line}\n`).join(""));
  });

  it("rewires the demo for the compose network: URLs by service name, ports published on loopback", () => {
    const document = expectValidCompose(exportConfig({ file: join(ROOT, "portmate.yaml"), target: "compose" }).files[0]?.text ?? "", "demo");
    const { backend, ui, admin } = document.services;
    expect(ui.environment.API_URL).toBe("http://backend:8000");
    expect(admin.environment.BACKEND_URL).toBe("http://backend:8000");
    expect(admin.environment.UI_URL).toBe(`http://ui:${ui.environment.PORT}`);
    expect(backend.environment.HOST).toBe("0.0.0.0");
    expect(backend.ports).toEqual(["127.0.0.1:8000:8000"]);
    expect(admin.ports).toHaveLength(2);
    expect(ui.depends_on).toEqual({ backend: { condition: "service_healthy" } });
    expect(admin.depends_on).toEqual({ backend: { condition: "service_healthy" }, ui: { condition: "service_started" } });
    expect(backend.healthcheck).toMatchObject({ interval: "500ms", start_period: "30s", retries: 60 });
    expect(backend.stop_grace_period).toBe("10s");
    expect(backend.build).toBe("examples/demo");
  });

  it("maps completed to service_completed_successfully, and says what it cannot carry over", () => {
    const result = exportConfig({ file: join(ROOT, "examples", "jobs-and-checks.yaml"), target: "compose" });
    const document = expectValidCompose(result.files[0]?.text ?? "", "jobs");
    expect(document.services.api.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" } });
    // api's check reads its log: compose cannot, so what waits for it waits for it to start.
    expect(document.services.api.healthcheck).toBeUndefined();
    expect(document.services.worker.depends_on).toEqual({ api: { condition: "service_started" } });
    expect(result.warnings).toContain("api: its `log` health check (/backend listening on/) has no compose equivalent and is left out");
    expect(result.warnings).toContain("worker: waits for api to be healthy, which compose cannot check (a `log` check): it waits for it to start instead");
  });

  it("gives each instance a project of its own, on ports of its own", () => {
    const result = exportConfig({ file: join(ROOT, "portmate.yaml"), target: "compose", instances: 3 });
    const documents = result.files.map((file, index) => expectValidCompose(file.text, `instance ${index + 1}`));
    expect(result.files.map((file) => file.name)).toEqual(["compose.yaml", "compose.2.yaml", "compose.3.yaml"]);
    expect(documents.map((document) => document.name)).toEqual(["demo", "demo-2", "demo-3"]);
    expect(documents[1]?.services.ui.environment.PORTMATE_INSTANCE).toBe("2");
    const published = documents.flatMap((document) => Object.values(document.services).flatMap((service: any) => service.ports ?? []));
    const hostPorts = published.map((entry: string) => entry.split(":")[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    // Inside each project the services keep the same ports: only what is published moves.
    expect(documents[2]?.services.backend.ports).toEqual([`127.0.0.1:${8000 + 2 * 4}:8000`]);
  });
});

describe("what no export carries over", () => {
  it("says so for top-level env files, tunnels and an http check's host", () => {
    const dir = tempProject({
      ".env": "SECRET=1\n",
      "portmate.yaml": yaml`
        env_file: .env
        services:
          api:
            command: node api.js
            image: node:20-alpine
            health: { http: { path: /health, host: localhost } }
            tunnel: ngrok
      `,
    });
    const { warnings } = exportConfig({ file: join(dir, "portmate.yaml"), target: "compose" });
    expect(warnings).toContain(
      "the top-level env files (.env) are not carried over: a service gets its own `env` and portmate's variables, not what those files set",
    );
    expect(warnings).toContain("api: its public tunnel is not carried over: expose it the engine's way (a published port, an Ingress…)");
    expect(warnings).toContain("api: its health check's host (localhost) is not carried over: the engine checks the service's own address");
  });
});

describe("portmate export (CLI)", () => {
  it("names every service that has no image, exit 2", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        name: shop
        services:
          db:
            # Not installed here, and need not be: it runs in its image.
            command: redis-server --port \${port}
            image: redis:7
          api:
            command: node api.js
          web:
            command: node web.js
      `,
    });
    const result = await runCli(["export", "compose"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("cannot export to compose: api, web have neither `image` nor `build`, and compose runs containers");
    expect(result.stdout).toBe("");
  });

  it("writes one file per instance with -o, and says so", async () => {
    const dir = oneServiceProject();
    const result = await runCli(["export", "compose", "-o", "out/stack.yaml", "--instances", "2"], { cwd: dir });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain("wrote out/stack.yaml");
    expect(result.stderr).toContain("wrote out/stack.2.yaml");
    expect(parse(readFileSync(join(dir, "out", "stack.2.yaml"), "utf8")).name).toBe("shop-2");
  });

  it("refuses an unknown target and a format that is not nomad's", async () => {
    const dir = tempProject({ "portmate.yaml": "services: { api: { command: node api.js, image: node:20 } }\n" });
    const unknown = await runCli(["export", "swarm"], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown export target "swarm"\nhint: targets: compose, kubernetes, nomad/);
    const format = await runCli(["export", "compose", "--format", "hcl"], { cwd: dir });
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toMatch(/only `export nomad` has formats/);
  });
});
