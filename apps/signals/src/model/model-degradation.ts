import { Injectable } from '@nestjs/common';

/**
 * A switch for fault injection: while inverted, every generated signal points the other way than the
 * crossover says, so accuracy drops and the signal-quality alerts can be exercised. Off by default; no
 * endpoint sets it yet (a later fault-injection issue will).
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
