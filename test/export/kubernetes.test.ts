// `portmate export kubernetes`: golden files for the demo and every example, every object read back and checked
// against the Kubernetes schema of its kind (kubernetes-models) and every name against the DNS rules; the
// rewiring, probes and namespaces. No cluster runs here: the schemas and the golden files are the check.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { exportConfig, type ExportOptions } from "../../src/export/export.js";
import { DNS_1035_LABEL, DNS_1123_LABEL, IANA_PORT_NAME, MAX_LABEL, MAX_PORT_NAME } from "../../src/export/kubernetes-names.js";
import { EXPORT_SOURCES, expectGolden, oneServiceProject } from "../support/export-helpers.js";
import { ROOT, runCli, tempProject, yaml } from "../support/helpers.js";

const MODELS = { Namespace, Deployment, Job, Service } as const;

/** The objects of one exported file, each validated by its kubernetes-models class and its names checked. */
function expectValidObjects(text: string, what: string): Array<Record<string, any>> {
  const objects = parseAllDocuments(text).map((document) => {
    expect(document.errors, what).toEqual([]);
    return document.toJS() as Record<string, any>;
  });
  for (const object of objects) {
    const Model = MODELS[object.kind as keyof typeof MODELS];
    expect(Model, `${what}: unexpected kind ${object.kind}`).toBeDefined();
    expect(() => new Model(object as never).validate(), `${what}: ${object.kind} ${object.metadata?.name}`).not.toThrow();
    expectValidNames(object, what);
  }
  return objects;
}

function expectLabel(name: unknown, rule: RegExp, what: string): void {
  expect(typeof name === "string" && rule.test(name) && name.length <= MAX_LABEL, `${what}: ${String(name)} is not a ${rule}`).toBe(true);
}

function expectValidNames(object: Record<string, any>, what: string): void {
  const { kind, metadata, spec } = object;
  expectLabel(metadata.name, kind === "Namespace" ? DNS_1123_LABEL : DNS_1035_LABEL, `${what}: ${kind} name`);
  if (kind !== "Namespace") expectLabel(metadata.namespace, DNS_1123_LABEL, `${what}: namespace`);
  for (const value of Object.values(metadata.labels ?? {})) expectLabel(value, DNS_1123_LABEL, `${what}: label`);
  const containers: Array<Record<string, any>> = spec?.template?.spec?.containers ?? [];
  for (const container of containers) {
    expectLabel(container.name, DNS_1123_LABEL, `${what}: container`);
    for (const port of container.ports ?? []) {
      expect(IANA_PORT_NAME.test(port.name) && port.name.length <= MAX_PORT_NAME, `${what}: port name ${port.name}`).toBe(true);
    }
  }
  if (kind === "Service") for (const port of spec.ports) expectLabel(port.name, DNS_1123_LABEL, `${what}: Service port`);
}

function exportObjects(options: Omit<ExportOptions, "target">): Array<Record<string, any>> {
  const result = exportConfig({ ...options, target: "kubernetes" });
  return result.files.flatMap((file) => expectValidObjects(file.text, file.name));
}

function find(objects: Array<Record<string, any>>, kind: string, name: string): Record<string, any> {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  expect(object, `${kind} ${name}`).toBeDefined();
  return object as Record<string, any>;
}

function containerOf(object: Record<string, any>): Record<string, any> {
  return object.spec.template.spec.containers[0];
}

function envOf(object: Record<string, any>): Record<string, string> {
  return Object.fromEntries(containerOf(object).env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
}

describe("export kubernetes", () => {
  it.each(EXPORT_SOURCES)("exports $name as valid Kubernetes objects, the same as last time", ({ name, file }) => {
    const result = exportConfig({ file, target: "kubernetes" });
    expect(result.files).toHaveLength(1);
    const text = result.files[0]?.text ?? "";
    const objects = expectValidObjects(text, name);
    expect(objects[0]?.kind).toBe("Namespace");
    for (const object of objects.slice(1)) expect(object.metadata.namespace).toBe(objects[0]?.metadata.name);
    expectGolden(`kubernetes/${name}.yaml`, text);
    expectGolden(`kubernetes/${name}.warnings.txt`, result.warnings.map((line) => `${line}\n`).join(""));
  });

  it("rewires the demo for the cluster: URLs by Service name, no service links, probes, grace period", () => {
    const objects = exportObjects({ file: join(ROOT, "portmate.yaml") });
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      "Namespace/demo",
      "Deployment/backend",
      "Service/backend",
      "Deployment/ui",
      "Service/ui",
      "Deployment/admin",
      "Service/admin",
    ]);
    const backend = find(objects, "Deployment", "backend");
    const ui = find(objects, "Deployment", "ui");
    const admin = find(objects, "Deployment", "admin");
    expect(envOf(ui).API_URL).toBe("http://backend:8000");
    expect(envOf(admin).UI_URL).toBe(`http://ui:${envOf(ui).PORT}`);
    expect(envOf(backend).HOST).toBe("0.0.0.0");
    for (const deployment of [backend, ui, admin]) {
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.template.spec.enableServiceLinks).toBe(false);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(10);
      expect(containerOf(deployment).livenessProbe).toBeUndefined();
    }
    expect(containerOf(backend).command).toEqual(["node", "examples/demo/backend.js", "--port", "8000"]);
    expect(containerOf(backend).readinessProbe).toEqual({ httpGet: { path: "/health", port: "default" }, periodSeconds: 1, timeoutSeconds: 1 });
    // portmate's 30 s deadline, checked every second.
    expect(containerOf(backend).startupProbe).toMatchObject({ httpGet: { path: "/health", port: "default" }, periodSeconds: 1, failureThreshold: 30 });
    expect(containerOf(ui).readinessProbe).toMatchObject({ httpGet: { path: "/", port: "default" } });
    expect(containerOf(admin).ports).toEqual([
      { name: "http", containerPort: 8002, protocol: "TCP" },
      { name: "metrics", containerPort: 8003, protocol: "TCP" },
    ]);
    expect(find(objects, "Service", "admin").spec).toMatchObject({
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": "admin", "app.kubernetes.io/instance": "demo" },
      ports: [
        { name: "http", port: 8002, targetPort: "http" },
        { name: "metrics", port: 8003, targetPort: "metrics" },
      ],
    });
  });

  it("adds liveness probes only when asked", () => {
    const objects = exportObjects({ file: join(ROOT, "portmate.yaml"), liveness: true });
    expect(containerOf(find(objects, "Deployment", "backend")).livenessProbe).toEqual({
      httpGet: { path: "/health", port: "default" },
      periodSeconds: 1,
      timeoutSeconds: 1,
    });
  });

  it("gives a service with health.liveness its liveness probe, timed as portmate checks it, with or without --liveness", () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        name: shop
        services:
          api:
            command: node api.js
            image: node:20-alpine
            health: {http: /health, liveness: {interval: 15s, timeout: 2500ms, failures: 4}}
          web:
            command: node web.js
            image: node:20-alpine
      `,
    });
    for (const liveness of [false, true]) {
      const result = exportConfig({ file: join(dir, "portmate.yaml"), target: "kubernetes", liveness });
      const objects = result.files.flatMap((file) => expectValidObjects(file.text, file.name));
      expect(containerOf(find(objects, "Deployment", "api")).livenessProbe).toEqual({
        httpGet: { path: "/health", port: "default" },
        periodSeconds: 15,
        timeoutSeconds: 3,
        failureThreshold: 4,
      });
      expect(result.warnings).toContain(
        "api: its liveness probe runs every 15s with 3s to answer on Kubernetes, not every 15s with 2s500ms (probe times are whole seconds)",
      );
      // A service without it gets one only with --liveness.
      expect(containerOf(find(objects, "Deployment", "web")).livenessProbe === undefined).toBe(!liveness);
    }
  });

  it("runs a one-off task others wait to complete as a Job, and says what it cannot carry over", () => {
    const result = exportConfig({ file: join(ROOT, "examples", "jobs-and-checks.yaml"), target: "kubernetes" });
    const objects = expectValidObjects(result.files[0]?.text ?? "", "jobs");
    const migrate = find(objects, "Job", "migrate");
    expect(migrate.spec.backoffLimit).toBe(0);
    expect(migrate.spec.template.spec.restartPolicy).toBe("Never");
    expect(objects.some((object) => object.kind === "Service" && object.metadata.name === "migrate")).toBe(false);
    // report has no port and no check either, but nothing waits for it to finish: it stays a Deployment.
    const report = find(objects, "Deployment", "report");
    expect(containerOf(report).command).toEqual(["/bin/sh", "-c", 'echo "api on port $API_PORT" | tr a-z A-Z && sleep 3600']);
    expect(report.spec.template.spec.terminationGracePeriodSeconds).toBe(2);
    expect(containerOf(find(objects, "Deployment", "worker")).readinessProbe.exec.command[0]).toBe("node");
    expect(containerOf(find(objects, "Deployment", "api")).readinessProbe).toBeUndefined();
    expect(result.warnings).toContain("api: its `log` health check (/backend listening on/) has no Kubernetes probe: its pod is ready as soon as it starts");
    expect(result.warnings).toContain("api does not wait for migrate on Kubernetes: its pod starts at once and must retry until migrate has completed");
    expect(result.warnings).toContain("worker: is checked every 1s on Kubernetes, not every 250ms (probe periods are whole seconds)");
    expect(result.warnings).toContain("api: a Deployment restarts it whenever it exits (`restart: no` is not carried over)");
  });

  it("gives each instance a namespace of its own", () => {
    const result = exportConfig({ file: join(ROOT, "portmate.yaml"), target: "kubernetes", instances: 3 });
    expect(result.files.map((file) => file.name)).toEqual(["demo.yaml", "demo-2.yaml", "demo-3.yaml"]);
    const perFile = result.files.map((file) => expectValidObjects(file.text, file.name));
    expect(perFile.map((objects) => objects[0]?.metadata.name)).toEqual(["demo", "demo-2", "demo-3"]);
    const second = perFile[1] ?? [];
    for (const object of second.slice(1)) expect(object.metadata.namespace).toBe("demo-2");
    expect(envOf(find(second, "Deployment", "ui")).PORTMATE_INSTANCE).toBe("2");
    // Inside its namespace each instance keeps the same ports and Service names.
    expect(envOf(find(second, "Deployment", "ui")).API_URL).toBe("http://backend:8000");
    expect(find(second, "Deployment", "ui").spec.selector.matchLabels["app.kubernetes.io/instance"]).toBe("demo-2");
  });

  it("names services and ports as DNS labels, wires them by those names, and warns", () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        name: shop_app
        services:
          My_API:
            image: node:20-alpine
            command: node api.js
            url: http
            ports: { Http_Main: 8080 }
            stop_signal: SIGINT
            stop_timeout: 1500ms
            env_file: api.env
            cwd: api
          web:
            image: node:20-alpine
            command: echo "$$(date) $$$$" && node web.js
            shell: true
            depends_on: { My_API: started }
            restart: { policy: on-failure, max_restarts: 3 }
            env:
              API: \${services.My_API.url}
              RAW: "$$(HOME)"
      `,
      "api.env": "A=1\n",
    });
    mkdirSync(join(dir, "api"));
    const result = exportConfig({ file: join(dir, "portmate.yaml"), target: "kubernetes" });
    expect(result.files.map((file) => file.name)).toEqual(["shop-app.yaml"]);
    const objects = expectValidObjects(result.files[0]?.text ?? "", "shop");
    const api = find(objects, "Deployment", "my-api");
    expect(find(objects, "Service", "my-api").spec.ports).toEqual([{ name: "http-main", port: 8080, targetPort: "http-main", protocol: "TCP" }]);
    expect(containerOf(api).readinessProbe.tcpSocket.port).toBe("http-main");
    expect(api.spec.template.spec.terminationGracePeriodSeconds).toBe(2);
    const web = find(objects, "Deployment", "web");
    expect(envOf(web).API).toBe("http://my-api:8080");
    expect(envOf(web).MY_API_URL).toBe("http://my-api:8080");
    // The kubelet reads `$(NAME)` and `$$`: they are escaped so the container gets what portmate would give.
    expect(envOf(web).RAW).toBe("$$(HOME)");
    // `$(date) $$` for the shell: the kubelet reads `$$(` as `$(`, and `$$$"` as `$$"` (a `$` before `"` is itself).
    expect(containerOf(web).command).toEqual(["/bin/sh", "-c", 'echo "$$(date) $$$" && node web.js']);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        'My_API: is named "my-api" on Kubernetes (Service names are lower-case letters, digits and `-`)',
        'My_API: its port "Http_Main" is named "http-main" on Kubernetes',
        'project "shop_app" is the namespace "shop-app" on Kubernetes',
        "My_API: is stopped with SIGTERM on Kubernetes, not SIGINT: a pod cannot choose the signal (set STOPSIGNAL in its image)",
        "My_API: its env files (api.env) are not carried over: make a ConfigMap or Secret of them and add it with envFrom",
        "My_API: runs in its image's working folder: `cwd` (api) is not carried over",
        "web does not wait for My_API on Kubernetes: its pod starts at once and must retry until My_API has started",
        "web: a Deployment restarts it whenever it exits, even with code 0, with Kubernetes' back-off, not portmate's delays and limit of 3 restarts in a row",
      ]),
    );
  });

  it.each([
    {
      case: "two services that become one name",
      services: { my_api: "{}", "my-api": "{}" },
      message: 'services "my_api" and "my-api" would both be named "my-api"',
    },
    {
      case: "a name starting with a digit",
      services: { "1api": "{}" },
      message: 'service "1api" cannot be a Kubernetes Service name (it must start with a letter)',
    },
    {
      case: "a port name longer than 15",
      services: { api: "{ ports: { prometheus_metrics: auto } }" },
      message: 'port "prometheus_metrics" of api cannot be a Kubernetes port name',
    },
  ])("refuses $case, exit 2", ({ services, message }) => {
    const body = Object.entries(services)
      .map(([name, extra]) => `  ${name}: { image: node:20, command: node x.js, ${extra.slice(1, -1)} }\n`)
      .join("");
    const dir = tempProject({ "portmate.yaml": `name: shop\nservices:\n${body}` });
    let error: unknown;
    try {
      exportConfig({ file: join(dir, "portmate.yaml"), target: "kubernetes" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toContain(message);
  });
});

describe("portmate export kubernetes (CLI)", () => {
  it("names every service that has no image, exit 2", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        name: shop
        services:
          db:
            command: node db.js
            image: redis:7
          api:
            command: node api.js
            build: .
      `,
    });
    const result = await runCli(["export", "kubernetes"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("cannot export to kubernetes: api has no `image`, and kubernetes runs containers");
    expect(result.stdout).toBe("");
  });

  it("writes one file per namespace into the -o folder, and says so", async () => {
    const dir = oneServiceProject();
    const result = await runCli(["export", "kubernetes", "-o", "k8s", "--instances", "2", "--liveness"], { cwd: dir });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain(`wrote ${join("k8s", "shop.yaml")}`);
    expect(readdirSync(join(dir, "k8s")).sort()).toEqual(["shop-2.yaml", "shop.yaml"]);
    const objects = expectValidObjects(readFileSync(join(dir, "k8s", "shop-2.yaml"), "utf8"), "shop-2");
    expect(objects[0]).toMatchObject({ kind: "Namespace", metadata: { name: "shop-2" } });
    expect(containerOf(find(objects, "Deployment", "api")).livenessProbe).toMatchObject({ tcpSocket: { port: "default" } });
  });

  it("prints every namespace's objects on stdout without -o, and refuses --liveness for other targets", async () => {
    const dir = tempProject({ "portmate.yaml": "name: shop\nservices: { api: { command: node api.js, image: node:20 } }\n" });
    const result = await runCli(["export", "kubernetes", "-n", "2"], { cwd: dir });
    expect(result.exitCode, result.all).toBe(0);
    const namespaces = expectValidObjects(result.stdout, "stdout").filter((object) => object.kind === "Namespace");
    expect(namespaces.map((object) => object.metadata.name)).toEqual(["shop", "shop-2"]);
    const liveness = await runCli(["export", "compose", "--liveness"], { cwd: dir });
    expect(liveness.exitCode).toBe(2);
    expect(liveness.stderr).toMatch(/only `export kubernetes` has liveness probes/);
  });
});
