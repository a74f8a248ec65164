import { describe, expect, it } from "vitest";
import { referencesIn, renderTemplate, TemplateError, type TemplateContext, type TemplateService } from "../../../src/config/template.js";

const context = (env: Record<string, string | undefined> = {}, onUnsetVariable?: (name: string) => void): TemplateContext => ({
  project: "demo",
  instance: 2,
  host: "127.0.0.1",
  self: "admin",
  services: new Map<string, TemplateService>([
    ["backend", { ports: { default: 8000 } }],
    ["admin", { ports: { http: 8002, metrics: 8003 } }],
    ["worker", { ports: {} }],
  ]),
  env,
  onUnsetVariable,
});

describe("templates", () => {
  it.each([
    ["${port}", "8002"],
    ["${ports.metrics}", "8003"],
    ["${host}", "127.0.0.1"],
    ["${url}", "http://127.0.0.1:8002"],
    ["${services.backend.port}", "8000"],
    ["${services.admin.ports.http}", "8002"],
    ["${services.backend.url}/api", "http://127.0.0.1:8000/api"],
    ["db-${instance}", "db-2"],
    ["${project}_${instance}", "demo_2"],
    ["--port=${port} --metrics=${ports.metrics}", "--port=8002 --metrics=8003"],
  ])("fills in %s", (text, expected) => {
    expect(renderTemplate(text, context())).toBe(expected);
  });

  it.each([
    ["${HOME_DIR}", { HOME_DIR: "/home/me" }, "/home/me"],
    ["$HOME_DIR/x", { HOME_DIR: "/home/me" }, "/home/me/x"],
    ["${MISSING:-fallback}", {}, "fallback"],
    ["${EMPTY:-fallback}", { EMPTY: "" }, "fallback"],
    ["${EMPTY-fallback}", { EMPTY: "" }, ""],
    ["${SET:+yes}", { SET: "1" }, "yes"],
    ["${MISSING:+yes}", {}, ""],
    ["${MISSING:-${OTHER:-deep}}", {}, "deep"],
    ["${MISSING:-port ${port}}", {}, "port 8002"],
    ["cost: $$5", {}, "cost: $5"],
    ["$$HOME", { HOME: "/root" }, "$HOME"],
    ["regex$", {}, "regex$"],
    ["$1 and $", {}, "$1 and $"],
  ])("interpolates the environment in %s", (text, env, expected) => {
    expect(renderTemplate(text, context(env))).toBe(expected);
  });

  it("reports an unset variable and leaves it empty, like compose", () => {
    const unset: string[] = [];
    expect(
      renderTemplate(
        "a${NOPE}b",
        context({}, (name) => unset.push(name)),
      ),
    ).toBe("ab");
    expect(unset).toEqual(["NOPE"]);
  });

  it.each([
    ["${services.nope.url}", /unknown service "nope"/],
    ["${services.worker.port}", /service "worker" has no port/],
    ["${services.admin.ports.nope}", /no port named "nope" \(its ports: http, metrics\)/],
    ["${ports.nope}", /no port named "nope"/],
    ["${services.backend.uri}", /unknown reference/],
    ["${service.backend.url}", /unknown reference "\$\{service\.backend\.url\}"/],
    ["${port.x}", /unknown reference/],
    ["${services.backend}", /must name a service and a field/],
    ["${}", /not a valid reference/],
    ["${unclosed", /unclosed/],
    ["${TOKEN:?is needed}", /TOKEN is required: is needed/],
    ["${TOKEN?}", /TOKEN is required/],
  ])("rejects %s", (text, message) => {
    expect(() => renderTemplate(text, context())).toThrow(TemplateError);
    expect(() => renderTemplate(text, context())).toThrow(message);
  });

  it("lists the services a text refers to", () => {
    expect(referencesIn("${services.backend.url} ${port} ${X:-${services.admin.port}}")).toEqual([
      { kind: "service-url", service: "backend" },
      { kind: "port" },
      { kind: "service-port", service: "admin" },
    ]);
  });
});
