import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { StateDir } from '../state';

/**
 * The services `fault service-stopped` stopped (faults/stopped-services.json), so that `fault clear`
 * knows what to start again. A recorded service that runs again (restarted by hand) no longer counts.
 */
export class StoppedServices {
  constructor(private readonly state: StateDir) {}

  private get file(): string {
    return this.state.path('faults', 'stopped-services.json');
  }

  /** The recorded services that `isRunning` says are still down. */
  list(isRunning: (service: string) => boolean): string[] {
    if (!existsSync(this.file)) return [];
    return (JSON.parse(readFileSync(this.file, 'utf8')) as string[]).filter((service) => !isRunning(service));
  }

  add(service: string, isRunning: (service: string) => boolean): void {
    this.state.ensure('faults');
    writeFileSync(this.file, `${JSON.stringify([...new Set([...this.list(isRunning), service])])}\n`);
  }

  forget(): void {
    rmSync(this.file, { force: true });
  }
}
