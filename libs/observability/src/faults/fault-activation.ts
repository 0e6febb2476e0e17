import { z, type ZodErrorMap } from 'zod';
import { allowedValues, type FaultDefinition, type FaultParameter } from './fault-definition';

/** The one rule for a parameter's value, shared by the HTTP body check and the registry's own guard. */
export function parameterValueSchema(parameter: FaultParameter, faultName: string): z.ZodNumber {
  const allowed = allowedValues(parameter);
  const errorMap: ZodErrorMap = (issue, context) => ({
    message:
      issue.code === z.ZodIssueCode.invalid_type && context.data === undefined
        ? `value is required: ${faultName} takes {"value": <${parameter.name}>}, ${allowed}`
        : `value must be ${allowed}; got ${JSON.stringify(context.data)}`,
  });
  const value = z.number({ errorMap }).min(parameter.min).max(parameter.max);
  return parameter.integer ? value.int() : value;
}

function activationBodySchema(fault: FaultDefinition): z.ZodTypeAny {
  const notAnObject = { invalid_type_error: 'the body must be a JSON object' };
  if (!fault.parameter) {
    return z.object({}, notAnObject).strict(`${fault.name} is a switch and takes no value: send {}`);
  }
  const { parameter } = fault;
  return z
    .object({ value: parameterValueSchema(parameter, fault.name) }, notAnObject)
    .strict(`${fault.name} takes only "value": send {"value": <${parameter.name}>}, ${allowedValues(parameter)}`);
}

export type ActivationRequest = { ok: true; value: number | undefined } | { ok: false; problems: string[] };

/**
 * Reads a PUT body: `{ "value": <number> }` for a parameterised fault, `{}` (or no body at all) for a
 * switch. Problems are sentences that say what is allowed, for a 400.
 */
export function readActivationRequest(fault: FaultDefinition, body: unknown): ActivationRequest {
  const result = activationBodySchema(fault).safeParse(body ?? {});
  if (!result.success) return { ok: false, problems: [...new Set(result.error.issues.map((issue) => issue.message))] };
  return { ok: true, value: (result.data as { value?: number }).value };
}
