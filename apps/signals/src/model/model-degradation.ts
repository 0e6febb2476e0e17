import { Injectable } from '@nestjs/common';

/**
 * A switch for fault injection: while inverted, every generated signal points the other way than the
 * crossover says, so accuracy drops and the signal-quality alerts can be exercised. Off by default; the
 * signal-accuracy-drop fault (src/faults.ts, PUT /admin/faults/signal-accuracy-drop) turns it on.
 */
@Injectable()
export class ModelDegradation {
  private invertedNow = false;

  setInverted(inverted: boolean): void {
    this.invertedNow = inverted;
  }

  get inverted(): boolean {
    return this.invertedNow;
  }
}
