// `strata infer-schema`: proposes a procedures YAML from a folder of instrument files.
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { discoverRawFiles } from '../../discover/discover-raw-files.js';
import { rawFormatOf } from '../../parse/raw-formats.js';
import { firstDataRows } from '../../parse/data-rows.js';
import { inferProceduresYaml, type ExampleFile } from '../../schema/infer-procedures.js';
import { usageError } from '../../errors.js';
import { integerOption } from '../parse-option.js';
import { say, type RegisterCommand } from '../io.js';
import { counted } from '../../progress/counted.js';

async function readHead(file: string, bytes = 65536): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export const registerInferSchema: RegisterCommand = (program, { io }) => {
  program
    .command('infer-schema')
    .description('Propose a procedures YAML from a folder of instrument files (prints it, or writes --out).')
    .requiredOption('--raw-root <dir>', 'folder of raw instrument CSVs, read recursively')
    .option('--out <file>', 'write the YAML here instead of stdout')
    .option('--files-per-procedure <n>', 'example files read per procedure', integerOption(1, 10_000), 20)
    .action(async (flags: { rawRoot: string; out?: string; filesPerProcedure: number }) => {
      const files = discoverRawFiles(path.resolve(io.cwd, flags.rawRoot));
      const perProcedure = new Map<string, number>();
      const examples: ExampleFile[] = [];
      let unreadable = 0;
      for (const file of files) {
        const head = await readHead(file.absPath);
        const format = rawFormatOf(head);
        const parsed = format.readHeader(head);
        if (!parsed.ok) {
          unreadable++;
          continue;
        }
        const seen = perProcedure.get(parsed.header.proc) ?? 0;
        if (seen >= flags.filesPerProcedure) continue;
        perProcedure.set(parsed.header.proc, seen + 1);
        examples.push({ header: parsed.header, rows: firstDataRows(head, parsed.header.columnLine, 20, format.delimiter) });
      }
      if (examples.length === 0) throw usageError(`no instrument file under ${flags.rawRoot} has a readable header.`);
      const yaml = inferProceduresYaml(examples);
      if (flags.out) {
        writeFileSync(path.resolve(io.cwd, flags.out), yaml);
        say(io, `Wrote a proposed schema for ${counted(perProcedure.size, 'procedure')} to ${flags.out}.`);
      } else io.stdout.write(yaml);
      if (unreadable > 0) say(io, `${counted(unreadable, 'file')} had no readable header and ${unreadable === 1 ? 'was' : 'were'} not used.`);
    });
};
