/** What every scenario is given: how long to measure and where to say what it is doing. */
export interface BenchContext {
  /** Runs per variant, alternated between variants. */
  rounds: number;
  /** Length of one measured run. */
  runSeconds: number;
  /** Load before measuring, so that JIT compilation and connection set-up are not measured. */
  warmUpSeconds: number;
  /** Minutes of load of the memory scenario. */
  soakMinutes: number;
  progress(message: string): void;
}
