/** The number a parameterised fault takes, e.g. `percent` 1..100 or `delayMs` 1..60000. */
export interface FaultParameter {
  /** What the number is, as operators write it: `percent`, `delayMs`. */
  name: string;
  /** Shown after the value in messages and the API: `%`, `ms`. */
  unit: string;
  /** Whether only whole numbers are allowed. */
  integer: boolean;
  min: number;
  max: number;
}

interface FaultBase {
  /** kebab-case, prefixed with what it breaks: `payment-provider-errors`. */
  name: string;
  /** One line for operators: what the service does while the fault is active. */
  description: string;
  /** Puts the service back as configured. Called only while the fault is active. */
  clear(): void | Promise<void>;
}

/** A plain on/off fault. */
export interface SwitchFault extends FaultBase {
  parameter?: undefined;
  apply(): void | Promise<void>;
}

/** A fault that takes a number; activating it again with another number replaces the first. */
export interface ParameterisedFault extends FaultBase {
  parameter: FaultParameter;
  apply(value: number): void | Promise<void>;
}

export type FaultDefinition = SwitchFault | ParameterisedFault;

/** One fault as `/admin/faults` shows it. */
export interface FaultEntry {
  name: string;
  description: string;
  parameter: { name: string; unit: string; min: number; max: number } | null;
  active: boolean;
  value: number | null;
  /** When the current value took effect (ISO 8601); null while inactive. */
  since: string | null;
}

/** kebab-case: lower-case words of letters and digits joined by single dashes. */
export const FAULT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `a whole number from 1 to 60000 (ms)`: what a 400 says is allowed. */
export function allowedValues(parameter: FaultParameter): string {
  return `${parameter.integer ? 'a whole number' : 'a number'} from ${parameter.min} to ${parameter.max} (${parameter.unit})`;
}

/** `50%`, `2000 ms`: a value as log lines show it. */
export function withUnit(value: number, parameter: FaultParameter): string {
  return parameter.unit === '%' ? `${value}%` : `${value} ${parameter.unit}`;
}
