// The public API: what the CLI is built on and what test suites use. Internals stay in their modules.
export { loadConfig, CONFIG_NAMES, type LoadConfigOptions, type LoadedConfig } from "./config/load.js";
export type { PortmateConfig, ServiceConfig, HealthConfig, HealthCheckConfig, LivenessConfig, PortRequestConfig } from "./config/types.js";
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
export type { Plan, PlannedService, PlannedCommand, PlannedHealth } from "./plan/types.js";
export type { StackEvent, StackListener, ServiceStatus } from "./supervise/events.js";
export { Stack, type DownOptions, type ServiceInfo, type StackOptions } from "./stack/stack.js";
export type { RestartReport } from "./supervise/rewiring.js";
export type { StartReport, StopReport } from "./supervise/stop-start.js";
export { prepareStack, up, type UpOptions } from "./stack/up.js";
export { resolveConfig, type ResolveConfigOptions, type ResolvedConfig, type ResolvedService } from "./stack/resolve-config.js";
export { whoIs, type PortOwnership, type StackUse, type WhoIsOptions } from "./stack/port-ownership.js";
export type { PortHolder, PortLookup, HiddenHolder } from "./ports/port-lookup.js";
export { initConfig, type InitOptions, type InitResult } from "./init/init-config.js";
export type { Guess } from "./init/draft.js";
export { exportConfig, EXPORT_TARGETS, type ExportOptions, type ExportTargetName } from "./export/export.js";
export { type ExportResult, type ExportFile } from "./export/result.js";
