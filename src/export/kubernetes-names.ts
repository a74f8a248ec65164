import { UsageError } from "../errors.js";

/** A Service's name (DNS-1035 label): what its DNS name in the namespace is. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A Namespace's name, a container's, a label value of ours (DNS-1123 label): may start with a digit. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A container port's name (IANA service name): at most 15, no `--`, at least one letter. */
export const IANA_PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*$/;
export const MAX_LABEL = 63;
export const MAX_PORT_NAME = 15;

/** `My_API` → `my-api`: lower case, `_` and other characters a label cannot hold as `-`, no `-` at either end. */
export function dnsLabel(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `http_Metrics` → `http-metrics`: as dnsLabel, and no `--` (IANA port names may not hold one). */
export function ianaPortName(name: string): string {
  return dnsLabel(name).replace(/-{2,}/g, "-");
}

/** `demo`, `demo-2`… the namespace of an instance. */
export function namespaceName(project: string, instance: number): string {
  return dnsLabel(instance === 1 ? project : `${project}-${instance}`);
}

/** The Kubernetes names of a stack's services and of their ports, and the changes worth a warning. */
export interface KubernetesNames {
  /** Service name in portmate → its DNS-1035 label. */
  services: Map<string, string>;
  /** Service name in portmate → its port names → IANA port names. */
  ports: Map<string, Map<string, string>>;
  warnings: string[];
}

/**
 * Names every service and port the way Kubernetes needs them, warning about each one that changed. Throws
 * UsageError (exit 2) naming every name that cannot be made valid and every pair that would become one.
 */
export function kubernetesNames(
  project: string,
  instances: number,
  services: ReadonlyArray<{ name: string; ports: ReadonlyArray<{ name: string }> }>,
): KubernetesNames {
  const problems: string[] = [];
  const warnings: string[] = [];
  const names = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const service of services) {
    const label = dnsLabel(service.name);
    if (!DNS_1035_LABEL.test(label) || label.length > MAX_LABEL) {
      problems.push(
        `service "${service.name}" cannot be a Kubernetes Service name (${label.length > MAX_LABEL ? `longer than ${MAX_LABEL} characters` : "it must start with a letter"})`,
      );
      continue;
    }
    const other = owners.get(label);
    if (other !== undefined) problems.push(`services "${other}" and "${service.name}" would both be named "${label}" on Kubernetes`);
    owners.set(label, service.name);
    names.set(service.name, label);
    if (label !== service.name) warnings.push(`${service.name}: is named "${label}" on Kubernetes (Service names are lower-case letters, digits and \`-\`)`);
  }
  const ports = new Map<string, Map<string, string>>();
  for (const service of services) {
    const own = new Map<string, string>();
    const taken = new Map<string, string>();
    for (const port of service.ports) {
      const name = ianaPortName(port.name);
      if (!IANA_PORT_NAME.test(name) || name.length > MAX_PORT_NAME) {
        problems.push(
          `port "${port.name}" of ${service.name} cannot be a Kubernetes port name (at most ${MAX_PORT_NAME} lower-case letters, digits and \`-\`)`,
        );
        continue;
      }
      const other = taken.get(name);
      if (other !== undefined) problems.push(`ports "${other}" and "${port.name}" of ${service.name} would both be named "${name}" on Kubernetes`);
      taken.set(name, port.name);
      own.set(port.name, name);
      if (name !== port.name) warnings.push(`${service.name}: its port "${port.name}" is named "${name}" on Kubernetes`);
    }
    ports.set(service.name, own);
  }
  if (namespaceName(project, 1) !== project) warnings.push(`project "${project}" is the namespace "${namespaceName(project, 1)}" on Kubernetes`);
  for (let instance = 1; instance <= instances; instance++) {
    const namespace = namespaceName(project, instance);
    if (!DNS_1123_LABEL.test(namespace) || namespace.length > MAX_LABEL)
      problems.push(`project "${project}" cannot name the Kubernetes namespace "${namespace}" (at most ${MAX_LABEL} characters)`);
  }
  const [first, ...rest] = problems;
  if (first !== undefined) {
    throw new UsageError(
      `cannot export to kubernetes: ${first}${rest.length ? `; ${rest.join("; ")}` : ""}`,
      "rename them in portmate.yaml: letters, digits and `-`, starting with a letter, different in lower case",
    );
  }
  return { services: names, ports, warnings };
}
