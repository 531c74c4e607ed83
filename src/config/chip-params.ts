// The lab's chip parameters file (config/chip_params.yaml): chip number -> its group, notes and expected procedures.
import { z } from 'zod';
import { checkYaml, readYamlFile } from '../schema/yaml-file.js';
import { titleCase, type ChipParam, type ChipParams } from '../parse/run-identity.js';


const chipEntry = z.strictObject({
  chip_group: z.string().min(1).optional(),
  notes: z.string().optional(),
  expected_procs: z.array(z.string().min(1)).optional(),
});
// `defaults:` holds the design's run options (local_tz, workers...): staging takes those from its own flags.
function chipParamsSchema(raw: unknown) {
  const keys = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? Object.keys(raw) : [];
  return z.strictObject(
    Object.fromEntries(
      keys.map((key) => [key, key === 'defaults' ? z.unknown() : z.string().regex(/^\d+$/).safeParse(key).success ? chipEntry : z.never({ error: 'expected a chip number (or defaults) as the key' })]),
    ),
  );
}

const WHAT = 'the chip parameters file';

export function loadChipParams(file: string): ChipParams {
  const raw = readYamlFile(file, WHAT) ?? {};
  const doc = checkYaml(chipParamsSchema(raw), raw, file, WHAT) as Record<string, z.infer<typeof chipEntry>>;
  const chips = new Map(
    Object.entries(doc).filter(([key]) => key !== 'defaults').map(([number, e]) => {
      const chipNumber = Number(number);
      const param: ChipParam = {
        chipNumber,
        chipGroup: e.chip_group === undefined ? null : titleCase(e.chip_group),
        notes: e.notes ?? null,
        expectedProcs: e.expected_procs ?? null,
      };
      return [chipNumber, param] as const;
    }),
  );
  return { file, chips };
}
