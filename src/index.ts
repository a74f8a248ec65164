export { loadConfig, parseConfig, CONFIG_NAMES, type LoadConfigOptions, type LoadedConfig } from "./config/load.js";
export { ConfigSource } from "./config/source.js";
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
} from "./errors.js";
export { allocatePorts, type Allocation, type AllocationNote, type AllocationOptions, type PortRequest } from "./ports/allocate.js";
export { isPortFree } from "./ports/probe.js";
export type { PortReservation } from "./ports/reservation.js";
export { buildPlan, portRequests, selectServices, serviceId, type Plan, type PlannedService } from "./plan.js";
export type { StackEvent, StackListener, ServiceStatus } from "./supervise/events.js";
export { prepareStack, up, Stack, type ServiceInfo, type UpOptions } from "./stack.js";
