// The public API: what the CLI is built on and what test suites use. Internals stay in their modules.
export { loadConfig, CONFIG_NAMES, type LoadConfigOptions, type LoadedConfig } from "./config/load.js";
export type { PortmateConfig, ServiceConfig, HealthConfig, HealthCheckConfig, PortRequestConfig } from "./config/types.js";
export {
  ConfigError,
  ExitCode,
  PortAllocationError,
  PortmateError,
  ServiceFailedError,
  StopRequestedError,
  UsageError,
  formatIssue,
  type ConfigIssue,
  type SourceLocation,
} from "./errors.js";
export type { Plan, PlannedService, PlannedCommand, PlannedHealth } from "./plan.js";
export type { StackEvent, StackListener, ServiceStatus } from "./supervise/events.js";
export { Stack, type DownOptions, type ServiceInfo, type StackOptions } from "./stack.js";
export type { RestartReport } from "./supervise/rewiring.js";
export { prepareStack, up, type UpOptions } from "./up.js";
export { resolveConfig, type ResolveConfigOptions, type ResolvedConfig, type ResolvedService } from "./resolve-config.js";
export { whoIs, type PortOwnership, type StackUse } from "./port-holder.js";
export type { PortHolder, PortLookup, HiddenHolder } from "./ports/who.js";
export { exportConfig, EXPORT_TARGETS, type ExportOptions, type ExportResult, type ExportFile, type ExportTargetName } from "./export/export.js";
