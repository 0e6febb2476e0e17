import { ValidateBy, type ValidationOptions } from 'class-validator';

/** A decimal string matching `pattern` whose value is above zero ("0" and "0.00" fail). */
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
