// Tar samples: a text listing of the entries (size, time, type, name), from the headers alone.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { writeViaTemp } from '../fs/atomic-file.js';
import { walkTarHeaders } from './tar-headers.js';
import type { SampleWritten, Sampler } from './sample-types.js';
import { countedPlain } from '../progress/counted.js';

export const sampleTar: Sampler = (input, output, context): Promise<SampleWritten> =>
  writeViaTemp(output, async (temp) => {
    const out = createWriteStream(temp);
    let listed = 0;
    let totalBytes = 0;
    let bytes = 0;
    let pending = '';
    // Lines are gathered into ~64 KB writes: one write per entry would cost more than reading its header.
    const flush = async () => {
      bytes += Buffer.byteLength(pending);
      const ok = out.write(pending);
      pending = '';
      if (!ok) await once(out, 'drain');
    };
    const write = async (line: string) => {
      pending += line;
      if (pending.length >= 65536) await flush();
    };
    try {
      await write('size\tmodified_utc\ttype\tname\n');
      const count = await walkTarHeaders(input, (entry) => {
        totalBytes += entry.size;
        if (listed >= context.maxListedEntries) return undefined;
        listed += 1;
        pending += listingLine(entry);
        return pending.length >= 65536 ? flush() : undefined;
      });
      const more = count - listed;
      await write(`# ${countedPlain(count, 'entry', 'entries')}, ${countedPlain(totalBytes, 'byte')} of contents${more > 0 ? `; ${more} not listed` : ''}\n`);
      await flush();
      out.end();
      await finished(out);
      return { rows: listed, bytes };
    } catch (error) {
      // The temp file may still be opening: wait until it is closed, or writeViaTemp removes it before it exists.
      out.destroy();
      await finished(out).catch(() => {});
      throw error;
    }
  });

/** One tab-separated line; a name's control characters are escaped so a name cannot forge lines. */
export function listingLine(entry: { readonly size: number; readonly mtime: Date; readonly type: string; readonly name: string; readonly linkname?: string | null }): string {
  const time = Number.isNaN(entry.mtime.getTime()) ? '' : entry.mtime.toISOString().slice(0, 19) + 'Z';
  const link = entry.linkname ? ` -> ${escapeName(entry.linkname)}` : '';
  return `${entry.size}\t${time}\t${entry.type}\t${escapeName(entry.name)}${link}\n`;
}

function escapeName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
