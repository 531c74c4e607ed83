// The procedures YAML's document in strata's own shape, as zod checks it: what a lab member may write, and its types.
// The lab's older shapes are translated into it (foreign-procedures.ts) before procedures-schema.ts reads it.
import { z } from 'zod';
import { metricsSection, snake } from './metric-declarations.js';

const VALUE_TYPES = ['float', 'int', 'str', 'bool', 'datetime'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const valueType = z.enum(VALUE_TYPES);
const manifestTarget = z.union([
  snake('a manifest column'),
  z.strictObject({
    column: snake('a manifest column'),
    type: valueType.optional(),
    zero_is_null: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    above: z.number().optional(),
  }),
]);
const dataColumn = z.strictObject({
  type: valueType,
  required: z.boolean().optional(),
  header: z.string().optional(),
  synonyms: z.array(z.string()).optional(),
});
const lightColumns = z.strictObject({ voltage: snake('a manifest column'), wavelength: snake('a manifest column') });
export const summary = z.strictObject({
  title: z.string().optional(),
  dark_title: z.string().optional(),
  parts: z.array(z.union([z.string(), z.strictObject({ text: z.string(), when: z.enum(['always', 'lit', 'dark']) })])).optional(),
  brackets: z.boolean().optional(),
});
export const plotSection = z.strictObject({
  x: z.string(),
  y: z.array(z.string()).min(1),
  sweep: z.boolean().optional(),
  light: z
    .strictObject({
      period: snake('a manifest column').optional(),
      phases: z.array(z.enum(['off', 'on'])).min(1).optional(),
      laser: z.string().optional(),
    })
    .refine((l) => (l.period === undefined) === (l.phases === undefined), 'period and phases go together')
    .optional(),
});
const section = {
  parameters: z.record(z.string(), valueType).optional(),
  metadata: z.record(z.string(), valueType).optional(),
  manifest: z.record(z.string(), manifestTarget).optional(),
  summary: summary.optional(),
};
export const proceduresFile = z.strictObject({
  version: z.literal(1),
  common: z.strictObject({ ...section, light: lightColumns.optional() }).optional(),
  procedures: z.record(
    z.string(),
    z.strictObject({
      description: z.string().optional(),
      light: z.union([z.enum(['auto', 'always', 'never']), lightColumns]).optional(),
      time_column: z.string().optional(),
      plot: plotSection.optional(),
      /** The metrics `strata derive` computes for the procedure's runs (metric-declarations.ts). */
      metrics: metricsSection.optional(),
      ...section,
      // Another stage's names are kept as given (foreign shapes); strata's own are snake_case.
      data: z.record(snake('a data column'), dataColumn),
    }),
  ),
});

/** The document in strata's own shape, whichever shape it was written in. */
export type ProceduresDocument = z.infer<typeof proceduresFile>;
