import { ValidateBy, type ValidationOptions } from 'class-validator';

/*
 * Patterns for money and quantities as they cross the API: decimal strings, never binary floats.
 * Each service stores them as PostgreSQL NUMERIC and computes with decimal.js.
 */

/** A positive amount with at most two decimals, e.g. "49.99". */
export const MONEY_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** A positive quantity with at most eight decimals, e.g. "0.25" or "10". */
export const QUANTITY_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,8})?$/;

/** ISO 4217 codes the platform settles in. */
export const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** class-validator: a decimal string matching `pattern` whose value is above zero ("0" and "0.00" fail). */
export function IsPositiveDecimal(pattern: RegExp, shape: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPositiveDecimal',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && pattern.test(value) && /[1-9]/.test(value),
        defaultMessage: (args) => `${args?.property} must be a decimal string greater than zero with ${shape}`,
      },
    },
    options,
  );
}
