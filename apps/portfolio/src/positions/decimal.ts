import DecimalJs from 'decimal.js';

/**
 * decimal.js with 40 significant digits: quantities (8 decimals) times prices never lose a digit, and
 * only the average cost, a quotient, is rounded (to AVERAGE_COST_DECIMALS).
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN });
export type Decimal = InstanceType<typeof Decimal>;

/** Decimal places kept for an average cost; the P&L computed from it is exact to the cent. */
export const AVERAGE_COST_DECIMALS = 12;

/** Money as the API shows it: two decimals, half away from zero, never "-0.00". */
export function formatMoney(value: Decimal): string {
  const text = value.toFixed(2, DecimalJs.ROUND_HALF_UP);
  return text === '-0.00' ? '0.00' : text;
}

/** A quantity as stored: every significant decimal, no trailing zeros, no exponent. */
export function formatQuantity(value: Decimal): string {
  const text = value.toFixed();
  return text === '-0' ? '0' : text;
}
