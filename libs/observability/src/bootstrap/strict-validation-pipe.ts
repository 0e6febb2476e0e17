import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';

/*
 * Property names that never reach class-validator's whitelist check: Nest's ValidationPipe deletes
 * `__proto__`, `prototype` and `constructor` before transforming, and class-transformer skips every key
 * whose name is a method the instance already inherits (`toString`, `valueOf`, `hasOwnProperty`, ...).
 * Such a property would be dropped without a word where any other unknown one is refused.
 */
const NAMES_HIDDEN_FROM_VALIDATION = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * ValidationPipe that, with forbidNonWhitelisted, also refuses the properties it would otherwise drop
 * silently (see NAMES_HIDDEN_FROM_VALIDATION), in bodies, queries and parameters alike.
 */
export class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = this.expectedType ?? metadata.metatype;
    if (this.validatorOptions.forbidNonWhitelisted && metatype && this.toValidate({ ...metadata, metatype })) {
      const hidden = propertiesHiddenFromValidation(value);
      if (hidden.length > 0) throw new BadRequestException(hidden.map((path) => `property ${path} should not exist`));
    }
    return super.transform(value, metadata);
  }
}

/** Paths (`a.b`, `items.0.c`) of such properties anywhere in `value`; iterative, and each object visited once. */
export function propertiesHiddenFromValidation(value: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (current === null || typeof current !== 'object' || seen.has(current) || ArrayBuffer.isView(current)) continue;
    seen.add(current);
    for (const key of Object.keys(current)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (!Array.isArray(current) && NAMES_HIDDEN_FROM_VALIDATION.has(key)) found.push(keyPath);
      else pending.push({ value: (current as Record<string, unknown>)[key], path: keyPath });
    }
  }
  return found.sort();
}
