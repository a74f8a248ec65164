import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { RawDependencyCondition } from "../config/types.js";
import { dnsLabel, namespaceName, type KubernetesNames } from "./kubernetes-names.js";
import { kubernetesProbes } from "./kubernetes-probes.js";
import { argvOf, type ExportedService, type ExportedStack, type ExportTarget } from "./model.js";

/**
 * In a namespace a service is reached by its Service's DNS name, on the port its Service exposes: the one it
 * listens on in its container.
 */
export const KUBERNETES_TARGET: ExportTarget = {
  host: "0.0.0.0",
  address: {
    port: (_service, _name, port) => String(port),
    url: (service, _name, port) => `http://${dnsLabel(service)}:${port}`,
  },
  hostNote: "`${host}` is 0.0.0.0 in the export: in a pod a service must listen on every interface to be reached through its Service",
};

/** Choices of the Kubernetes export. */
export interface KubernetesOptions {
  /** Also give each container a liveness probe (the kubelet restarts a container that fails it). */
  liveness: boolean;
}

/** One Kubernetes object, as the typed models build it. */
export type KubernetesObject = Namespace | Deployment | Job | Service;

const WAITS_UNTIL: Record<RawDependencyCondition, string> = {
  started: "has started",
  healthy: "is ready",
  completed: "has completed",
};

/**
 * The objects of one instance: its Namespace, then per service a Deployment (a Job for a one-off task others
 * wait to complete) and, when it has ports, a ClusterIP Service. Each one is checked against the Kubernetes
 * schema of its kind: an invalid one is a bug of portmate's and throws.
 */
export function toKubernetes(stack: ExportedStack, names: KubernetesNames, options: KubernetesOptions): { objects: KubernetesObject[]; warnings: string[] } {
  const warnings: string[] = [];
  const namespace = namespaceName(stack.project, stack.instance);
  const common = { "app.kubernetes.io/instance": namespace, "app.kubernetes.io/part-of": dnsLabel(stack.project), "app.kubernetes.io/managed-by": "portmate" };
  const awaited = new Set(stack.services.flatMap((service) => service.dependsOn.filter((dep) => dep.condition === "completed").map((dep) => dep.service)));
  const objects: KubernetesObject[] = [new Namespace({ metadata: { name: namespace, labels: common } })];
  for (const service of stack.services) {
    const name = names.services.get(service.name) ?? dnsLabel(service.name);
    const portName = (port: string) => names.ports.get(service.name)?.get(port) ?? port;
    const selector = { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": namespace };
    const metadata = { name, namespace, labels: { "app.kubernetes.io/name": name, ...common } };
    const container: IContainer = {
      name,
      ...(service.image === undefined ? {} : { image: service.image }),
      // The image's entrypoint is replaced: portmate runs exactly this.
      command: argvOf(service.command).map(literal),
      env: Object.keys(service.env)
        .sort()
        .map((key) => ({ name: key, value: literal(service.env[key] ?? "") })),
      ...(service.ports.length ? { ports: service.ports.map((port) => ({ name: portName(port.name), containerPort: port.port, protocol: "TCP" })) } : {}),
      ...kubernetesProbes(service, portName, options.liveness, warnings),
    };
    const job = service.job && awaited.has(service.name);
    const pod: IPodSpec = {
      // Otherwise the kubelet injects BACKEND_PORT=tcp://10.0.0.1:8000 and friends, which clash with portmate's.
      enableServiceLinks: false,
      // Whole seconds, rounded up: never less time to stop than portmate gives.
      terminationGracePeriodSeconds: Math.ceil(service.stopTimeoutMs / 1000),
      ...(job ? { restartPolicy: service.restart.policy === "no" ? "Never" : "OnFailure" } : {}),
      containers: [container],
    };
    const template = { metadata: { labels: metadata.labels }, spec: pod };
    objects.push(
      job
        ? new Job({ metadata, spec: { backoffLimit: service.restart.policy === "no" ? 0 : service.restart.maxRestarts, template } })
        : new Deployment({ metadata, spec: { replicas: 1, selector: { matchLabels: selector }, template } }),
    );
    if (service.ports.length) {
      objects.push(
        new Service({
          metadata,
          spec: {
            type: "ClusterIP",
            selector,
            ports: service.ports.map((port) => ({ name: portName(port.name), port: port.port, targetPort: portName(port.name), protocol: "TCP" })),
          },
        }),
      );
    }
    warnings.push(...serviceWarnings(service, job));
  }
  for (const object of objects) validate(object);
  return { objects, warnings };
}

/** What a service loses on Kubernetes, one line each. */
function serviceWarnings(service: ExportedService, job: boolean): string[] {
  const warnings: string[] = [];
  const { name } = service;
  if (service.build) warnings.push(`${name}: Kubernetes builds no images: push ${service.image} where the cluster can pull it (\`build\` is left out)`);
  if (service.cwd) warnings.push(`${name}: runs in its image's working folder: \`cwd\` (${service.cwd}) is not carried over`);
  if (service.envFiles.length)
    warnings.push(`${name}: its env files (${service.envFiles.join(", ")}) are not carried over: make a ConfigMap or Secret of them and add it with envFrom`);
  // Kubernetes starts every pod at once: an init container could wait, but only by polling with tools the
  // image may not have, so the service is told instead.
  for (const dep of service.dependsOn)
    warnings.push(
      `${name} does not wait for ${dep.service} on Kubernetes: its pod starts at once and must retry until ${dep.service} ${WAITS_UNTIL[dep.condition]}`,
    );
  if (job) warnings.push(`${name}: runs as a Job (a one-off task others wait to complete), not a Deployment`);
  if (service.stopSignal !== "SIGTERM")
    warnings.push(`${name}: is stopped with SIGTERM on Kubernetes, not ${service.stopSignal}: a pod cannot choose the signal (set STOPSIGNAL in its image)`);
  const { policy, maxRestarts } = service.restart;
  if (job) {
    if (policy !== "no") warnings.push(`${name}: its Job retries it up to ${maxRestarts} times with Kubernetes' back-off, not portmate's delays`);
    if (policy === "always") warnings.push(`${name}: its Job does not run it again once it succeeds (\`restart: always\`)`);
  } else if (policy === "no") {
    warnings.push(`${name}: a Deployment restarts it whenever it exits (\`restart: no\` is not carried over)`);
  } else {
    warnings.push(
      `${name}: a Deployment restarts it whenever it exits${policy === "on-failure" ? ", even with code 0," : ""} with Kubernetes' back-off, not portmate's delays and limit of ${maxRestarts} restarts in a row`,
    );
  }
  return warnings;
}

/**
 * Text the kubelet passes on as written: it expands `$(NAME)` in commands and env values and reads `$$` as `$`,
 * so each `$` before `(` or `$` is doubled.
 */
function literal(text: string): string {
  return text.replace(/\$(?=[$(])/g, () => "$$");
}

function validate(object: KubernetesObject): void {
  try {
    object.validate();
  } catch (error) {
    throw new Error(`portmate built an invalid Kubernetes ${object.kind} "${object.metadata?.name}": ${(error as Error).message}`, { cause: error });
  }
}
