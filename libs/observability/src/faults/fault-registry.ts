import type { Gauge } from 'prom-client';
import type { ServiceLogger } from '../logging/service-logger';
import { parameterValueSchema } from './fault-activation';
import { FAULT_NAME, withUnit, type FaultDefinition, type FaultEntry } from './fault-definition';

export interface FaultRegistryOptions {
  serviceName: string;
  /** FAULT_INJECTION_ENABLED: when false, nothing can activate a fault. */
  enabled: boolean;
  /** `fault_injection_active{fault}`. */
  activeGauge: Gauge<'fault'>;
  logger: ServiceLogger;
}

interface FaultState {
  definition: FaultDefinition;
  active: boolean;
  value: number | null;
  since: Date | null;
}

/**
 * The faults a service can have injected at run time. A service registers each one at start-up with
 * the callbacks that break and restore it; `/admin/faults` switches them. Every change moves
 * `fault_injection_active` and writes a warn line, so an alert raised on purpose can be told apart
 * from a real incident.
 */
export class FaultRegistry {
  private readonly faults = new Map<string, FaultState>();

  constructor(private readonly options: FaultRegistryOptions) {}

  get serviceName(): string {
    return this.options.serviceName;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  register(definition: FaultDefinition): void {
    const { name, parameter } = definition;
    if (!FAULT_NAME.test(name)) throw new Error(`fault name "${name}" must be kebab-case, e.g. payment-provider-errors`);
    if (this.faults.has(name)) throw new Error(`a fault named "${name}" is already registered`);
    if (parameter && !(Number.isFinite(parameter.min) && Number.isFinite(parameter.max) && parameter.min <= parameter.max)) {
      throw new Error(`fault "${name}": parameter ${parameter.name} needs finite min <= max, got ${parameter.min}..${parameter.max}`);
    }
    this.faults.set(name, { definition, active: false, value: null, since: null });
    // Present from start-up: a dashboard or an alert sees 0, not a missing series.
    this.options.activeGauge.set({ fault: name }, 0);
  }

  /** The registered fault of that name, if any. */
  find(name: string): FaultDefinition | undefined {
    return this.faults.get(name)?.definition;
  }

  get names(): string[] {
    return [...this.faults.keys()];
  }

  entries(): FaultEntry[] {
    return [...this.faults.values()].map(entryOf);
  }

  /** Activates a fault, or gives an active one its new value. */
  async activate(name: string, value?: number): Promise<FaultEntry> {
    if (!this.options.enabled) throw new Error(`fault injection is disabled on ${this.serviceName}: ${name} was not activated`);
    const state = this.stateOf(name);
    const { definition } = state;
    if (definition.parameter) {
      const checked = parameterValueSchema(definition.parameter, name).safeParse(value);
      if (!checked.success) throw new RangeError(`${name}: ${checked.error.issues[0]?.message}`);
      await definition.apply(checked.data);
    } else {
      if (value !== undefined) throw new RangeError(`${name} is a switch and takes no value`);
      await definition.apply();
    }
    Object.assign(state, { active: true, value: value ?? null, since: new Date() });
    this.options.activeGauge.set({ fault: name }, 1);
    const shown = definition.parameter && value !== undefined ? ` = ${withUnit(value, definition.parameter)}` : '';
    this.options.logger.warn(
      { log_type: 'fault_injection', fault_name: name, fault_value: state.value, action: 'activated' },
      `fault injected: ${name}${shown}`,
    );
    return entryOf(state);
  }

  /** Clears a fault; clearing one that is not active changes nothing. */
  async clear(name: string): Promise<FaultEntry> {
    const state = this.stateOf(name);
    if (state.active) {
      await state.definition.clear();
      Object.assign(state, { active: false, value: null, since: null });
      this.options.activeGauge.set({ fault: name }, 0);
      this.options.logger.warn({ log_type: 'fault_injection', fault_name: name, fault_value: null, action: 'cleared' }, `fault cleared: ${name}`);
    }
    return entryOf(state);
  }

  /** Clears every active fault; returns the names of those that were active. */
  async clearAll(): Promise<string[]> {
    const active = [...this.faults.values()].filter((state) => state.active).map((state) => state.definition.name);
    for (const name of active) await this.clear(name);
    return active;
  }

  private stateOf(name: string): FaultState {
    const state = this.faults.get(name);
    if (!state) throw new Error(`no fault named "${name}" on ${this.serviceName}`);
    return state;
  }
}

function entryOf(state: FaultState): FaultEntry {
  const { name, description, parameter } = state.definition;
  return {
    name,
    description,
    parameter: parameter ? { name: parameter.name, unit: parameter.unit, min: parameter.min, max: parameter.max } : null,
    active: state.active,
    value: state.value,
    since: state.since?.toISOString() ?? null,
  };
}
