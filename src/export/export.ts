import { basename } from "node:path";
import { stringify } from "yaml";
import { loadConfig, type LoadConfigOptions } from "../config/load.js";
import { activeProfiles, unknownProfiles } from "../config/profiles.js";
import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import { formatIssue, UsageError } from "../errors.js";
import { selectServices } from "../plan/select-services.js";
import { COMPOSE_TARGET, toCompose } from "./compose.js";
import { KUBERNETES_TARGET, toKubernetes } from "./kubernetes.js";
import { kubernetesNames, namespaceName } from "./kubernetes-names.js";
import { exportStack } from "./model.js";
import { exportNomad } from "./nomad.js";
import type { ExportFile, ExportResult } from "./result.js";

/** The engines a stack can be handed to. */
export const EXPORT_TARGETS = ["compose", "kubernetes", "nomad"] as const;
export type ExportTargetName = (typeof EXPORT_TARGETS)[number];

export interface ExportOptions extends LoadConfigOptions {
  target: ExportTargetName;
  /** Copies of the stack (default 1): compose projects, Kubernetes namespaces, Nomad groups. */
  instances?: number;
  /** Services to export, with what they depend on (default: every service not `disabled`, see `profiles`). */
  services?: string[];
  /** Active profiles, as for `up` (default: `PORTMATE_PROFILES`). */
  profiles?: readonly string[];
  /** Nomad: `json` (default) or `hcl`. */
  format?: "json" | "hcl";
  /** Kubernetes: also give each container a liveness probe (default: readiness and startup probes only). */
  liveness?: boolean;
}

/** Exports the config of `options` to `options.target`. Throws UsageError (exit 2) when it cannot. */
export function exportConfig(options: ExportOptions): ExportResult {
  // The commands run in images or on another host: whether they exist here says nothing.
  const { config, warnings } = loadConfig({ ...options, commandsRunHere: false });
  const profiles = activeProfiles(options.profiles);
  const services = selectServices(config, options.services, profiles);
  const instances = options.instances ?? 1;
  const result = exportTo(options, config, services, instances);
  return { files: result.files, warnings: [...warnings.map(formatIssue), ...unknownProfiles(config, profiles), ...dedupe(result.warnings)] };
}

function exportTo(options: ExportOptions, config: PortmateConfig, services: ServiceConfig[], instances: number): ExportResult {
  const { target } = options;
  switch (target) {
    case "compose":
      return exportCompose(config, services, instances);
    case "kubernetes":
      return exportKubernetes(config, services, instances, options.liveness === true);
    case "nomad":
      return exportNomad(config, services, instances, options.format ?? "json");
    default:
      throw new UsageError(`portmate export ${target} is not available yet`);
  }
}

/** One compose file per instance: `compose.yaml`, `compose.2.yaml`… */
function exportCompose(config: PortmateConfig, services: ServiceConfig[], instances: number): ExportResult {
  needImages("compose", services, (service) => service.image === undefined && service.build === undefined, "neither `image` nor `build`");
  const portCount = services.reduce((count, service) => count + service.ports.length, 0);
  const files: ExportFile[] = [];
  const warnings: string[] = [];
  for (let instance = 1; instance <= instances; instance++) {
    const stack = exportStack(config, instance, COMPOSE_TARGET, services);
    const { document, warnings: own } = toCompose(stack, (instance - 1) * portCount);
    warnings.push(...stack.warnings, ...own);
    const header = `# docker compose file of ${basename(config.file)} (project ${config.project}, instance ${instance}), written by \`portmate export compose\`.\n`;
    files.push({ name: instance === 1 ? "compose.yaml" : `compose.${instance}.yaml`, text: header + engineYaml(document) });
  }
  return { files, warnings };
}

/**
 * One file per instance, named after its namespace (`demo.yaml`, `demo-2.yaml`): the Namespace, then each
 * service's Deployment (or Job) and Service, so `kubectl apply -f DIR` creates the namespace first.
 */
function exportKubernetes(config: PortmateConfig, services: ServiceConfig[], instances: number, liveness: boolean): ExportResult {
  needImages("kubernetes", services, (service) => service.image === undefined, "no `image`");
  const names = kubernetesNames(config.project, instances, services);
  const files: ExportFile[] = [];
  const warnings = [...names.warnings];
  for (let instance = 1; instance <= instances; instance++) {
    const stack = exportStack(config, instance, KUBERNETES_TARGET, services);
    const { objects, warnings: own } = toKubernetes(stack, names, { liveness });
    warnings.push(...stack.warnings, ...own);
    const namespace = namespaceName(config.project, instance);
    const header = `# Kubernetes objects of ${basename(config.file)} (project ${config.project}, instance ${instance}, namespace ${namespace}), written by \`portmate export kubernetes\`.\n`;
    files.push({ name: `${namespace}.yaml`, text: header + objects.map((object) => engineYaml(object.toJSON())).join("---\n") });
  }
  return { files, warnings };
}

/** Exit 2 naming every service the target cannot run, when there is one. */
function needImages(target: string, services: readonly ServiceConfig[], lacks: (service: ServiceConfig) => boolean, what: string): void {
  const missing = services.filter(lacks).map((service) => service.name);
  if (missing.length === 0) return;
  const list = missing.length === 1 ? `${missing[0]} has` : `${missing.join(", ")} have`;
  throw new UsageError(
    `cannot export to ${target}: ${list} ${what}, and ${target} runs containers`,
    `give ${missing.length === 1 ? "it" : "each one"} \`image:\` (its command then runs in that image)${what.includes("build") ? " or `build:`" : ""}`,
  );
}

/**
 * YAML that parsers of YAML 1.1 (Go's, which compose and kubectl use) read back as written: strings such as
 * `no`, `yes`, `on` or `0755` are quoted, or they would come back as booleans and numbers.
 */
export function engineYaml(document: unknown): string {
  return stringify(document, { lineWidth: 0, version: "1.1" });
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
