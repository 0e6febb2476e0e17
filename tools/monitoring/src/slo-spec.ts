import { LATENCY_BUCKETS_SECONDS } from '@ai-finance/observability';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const percent = z.number().gt(0).lt(100);

const serviceSlo = z
  .object({
    service: z.string().regex(/^[a-z][a-z-]*$/, 'must be a service folder name'),
    availability: z.object({ objective: percent }).strict(),
    latency: z
      .object({
        objective: percent,
        thresholdSeconds: z
          .number()
          .refine((value) => LATENCY_BUCKETS_SECONDS.includes(value), `must be a bucket bound of the request histogram (${LATENCY_BUCKETS_SECONDS.join(', ')})`),
      })
      .strict(),
    /** The seed's "error rate SLO", in percent: a threshold alert, apart from the error budget. */
    errorRateThreshold: percent,
    /** Who hears about a HighErrorRate: a page for money and orders, a warning for the rest. */
    errorRateSeverity: z.enum(['critical', 'warning']).default('warning'),
  })
  .strict();

export const sloSpecSchema = z
  .object({
    window: z.literal('30d'),
    runbookBaseUrl: z.string().url(),
    dashboardBaseUrl: z.string().url(),
    services: z.array(serviceSlo).min(1),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    for (const [index, entry] of spec.services.entries()) {
      if (seen.has(entry.service)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['services', index, 'service'], message: `${entry.service} is listed twice` });
      seen.add(entry.service);
    }
  });

export type SloSpec = z.infer<typeof sloSpecSchema>;
export type ServiceSlo = SloSpec['services'][number];

/** Reads and validates the SLO spec; the error names the path of every wrong field. */
export function loadSloSpec(path: string): SloSpec {
  const result = sloSpecSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  throw new Error(`${path} is not a valid SLO spec:\n  ${problems.join('\n  ')}`);
}
