import { discoveryEnv, recordedServiceEnv } from "../stack/recorded-env.js";
import { recordedService, runningRecord } from "./running-stack.js";

export interface ServiceEnvOptions {
  project: string;
  instance: number;
  /** Every variable portmate gave this service; default: where every service is (`<SVC>_PORT`, `<SVC>_URL`…). */
  service?: string;
}

/**
 * The variables `portmate env` prints, by name: without a service, where every service of the running instance
 * is (as each service gets them); with one, every variable portmate gave that service.
 */
export function serviceEnv(options: ServiceEnvOptions): Record<string, string> {
  const record = runningRecord(options.project, options.instance);
  return options.service === undefined ? discoveryEnv(record) : recordedServiceEnv(record, recordedService(record, options.service));
}
