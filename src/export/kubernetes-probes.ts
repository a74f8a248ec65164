import type { IIoK8sApiCoreV1Probe } from "kubernetes-models/v1/Probe";
import type { LivenessConfig } from "../config/types.js";
import { engineDuration } from "./engine-health.js";
import { argvOf, type ExportedService } from "./model.js";

/** The probes of a container: readiness and startup always when the service has a check, liveness when asked. */
export interface KubernetesProbes {
  readinessProbe?: IIoK8sApiCoreV1Probe;
  startupProbe?: IIoK8sApiCoreV1Probe;
  livenessProbe?: IIoK8sApiCoreV1Probe;
}

/**
 * portmate's health check as probes. Its deadline becomes the startup probe (as many failures as fit in it at
 * its interval); then the readiness probe keeps the pod out of its Service while the check fails. A liveness
 * probe (the kubelet restarts a container that fails it) when the service has `health.liveness`, with its
 * interval, timeout and failures, as portmate restarts it; or for every service with `liveness` (`--liveness`),
 * timed like the readiness probe. Not otherwise: a wrong one restarts a healthy but busy service forever.
 */
export function kubernetesProbes(service: ExportedService, portName: (port: string) => string, liveness: boolean, warnings: string[]): KubernetesProbes {
  const { health } = service;
  if (health.kind === "none") return {};
  if (health.kind === "log") {
    warnings.push(`${service.name}: its \`log\` health check (/${health.pattern}/) has no Kubernetes probe: its pod is ready as soon as it starts`);
    return {};
  }
  let handler: IIoK8sApiCoreV1Probe;
  switch (health.kind) {
    case "http":
      handler = { httpGet: { path: health.path, port: portName(health.port.name) } };
      if (health.status !== undefined)
        warnings.push(`${service.name}: its check expects status ${health.status}; a Kubernetes httpGet probe accepts any status from 200 to 399`);
      break;
    case "tcp":
      handler = { tcpSocket: { port: portName(health.port.name) } };
      break;
    case "command":
      handler = { exec: { command: argvOf(health.command) } };
      break;
  }
  // Probe periods are whole seconds, at least 1.
  const periodSeconds = Math.max(1, Math.round(health.intervalMs / 1000));
  if (periodSeconds * 1000 !== health.intervalMs)
    warnings.push(
      `${service.name}: is checked every ${periodSeconds}s on Kubernetes, not every ${engineDuration(health.intervalMs)} (probe periods are whole seconds)`,
    );
  const timing = { periodSeconds, timeoutSeconds: Math.min(periodSeconds, 10) };
  const livenessProbe = health.liveness
    ? { ...handler, ...livenessTiming(service.name, health.liveness, warnings) }
    : liveness
      ? { ...handler, ...timing }
      : undefined;
  return {
    readinessProbe: { ...handler, ...timing },
    startupProbe: { ...handler, ...timing, failureThreshold: Math.max(1, Math.ceil(health.timeoutMs / (periodSeconds * 1000))) },
    ...(livenessProbe ? { livenessProbe } : {}),
  };
}

/** `health.liveness` as probe timing: whole seconds, at least 1 (said when that changes it), and its failures. */
function livenessTiming(name: string, liveness: LivenessConfig, warnings: string[]): IIoK8sApiCoreV1Probe {
  const periodSeconds = Math.max(1, Math.round(liveness.intervalMs / 1000));
  const timeoutSeconds = Math.max(1, Math.round(liveness.timeoutMs / 1000));
  if (periodSeconds * 1000 !== liveness.intervalMs || timeoutSeconds * 1000 !== liveness.timeoutMs)
    warnings.push(
      `${name}: its liveness probe runs every ${periodSeconds}s with ${timeoutSeconds}s to answer on Kubernetes, not every ${engineDuration(liveness.intervalMs)} with ${engineDuration(liveness.timeoutMs)} (probe times are whole seconds)`,
    );
  return { periodSeconds, timeoutSeconds, failureThreshold: liveness.failures };
}
