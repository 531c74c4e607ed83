// Zip samples: a new zip holding the list of entries (from the central directory only) and the first entry if it is small.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { messageOf } from '../errors.js';
import { listingLine } from './sample-tar.js';
import { writeViaTemp } from '../fs/atomic-file.js';
import { SampleProblem, isSystemError, type SampleContext, type SampleWritten, type Sampler } from './sample-types.js';
import { countedPlain } from '../progress/counted.js';

export const LISTING_NAME = '_entries.txt';

interface Listing {
  readonly lines: string[];
  readonly count: number;
  /** `name` is safe to store; `rawName` is the entry's own, for messages. */
  readonly first?: { readonly entry: yauzl.Entry; readonly name: string; readonly rawName: string } | undefined;
}

export const sampleZip: Sampler = async (input, output, context): Promise<SampleWritten> => {
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings off: yauzl would refuse a whole zip for one entry named ../x; we list such names and never extract them.
    zip = await yauzl.openPromise(input, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (error) {
    if (isSystemError(error)) throw error;
    throw new SampleProblem(`is not a readable zip file (${messageOf(error)})`);
  }
  try {
    const listing = await listEntries(zip, context);
    const firstBytes = listing.first ? await readEntry(zip, listing.first.entry, listing.first.rawName) : undefined;
    return await writeZipSample(output, listing, firstBytes);
  } catch (error) {
    if (error instanceof SampleProblem || isSystemError(error)) throw error;
    throw new SampleProblem(`is not a readable zip file (${messageOf(error)})`);
  } finally {
    zip.close();
  }
};

function listEntries(zip: yauzl.ZipFile, context: SampleContext): Promise<Listing> {
  return new Promise((resolve, reject) => {
    const lines = ['size\tmodified_utc\ttype\tname\n'];
    let count = 0;
    let first: Listing['first'];
    let firstFileSeen = false;
    zip.on('entry', (entry: yauzl.Entry) => {
      count += 1;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const isDirectory = name.endsWith('/');
      if (count <= context.maxListedEntries) {
        lines.push(listingLine({ size: entry.uncompressedSize, mtime: entry.getLastModDate(), type: isDirectory ? 'directory' : 'file', name }));
      }
      // Only the first file entry is ever copied, and only when small: a huge one is listed, not read.
      if (!isDirectory && !firstFileSeen) {
        firstFileSeen = true;
        if (!entry.isEncrypted() && entry.uncompressedSize <= context.maxZipEntryBytes) first = { entry, name: safeEntryPath(name), rawName: name };
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve({ lines, count, first }));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** The entry's bytes; yauzl stops an entry that inflates past the size it declares (a bomb), which is said in words. */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<Buffer> {
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable))),
    );
    return await buffer(stream);
  } catch (error) {
    if (!/too many bytes in the stream/.test(messageOf(error))) throw error;
    throw new SampleProblem(`has an entry ${JSON.stringify(name)} that inflates past the ${entry.uncompressedSize} bytes the zip declares for it (a forged or corrupt zip)`);
  }
}

async function writeZipSample(output: string, listing: Listing, firstBytes: Buffer | undefined): Promise<SampleWritten> {
  const zip = new yazl.ZipFile();
  const more = listing.count - (listing.lines.length - 1);
  const footer = `# ${countedPlain(listing.count, 'entry', 'entries')}${more > 0 ? `; ${more} not listed` : ''}${listing.first ? `; ${listing.first.name} copied` : '; no entry copied'}\n`;
  zip.addBuffer(Buffer.from(listing.lines.join('') + footer), LISTING_NAME);
  if (listing.first && firstBytes) zip.addBuffer(firstBytes, listing.first.name);
  zip.end();
  await writeViaTemp(output, (temp) => pipeline(zip.outputStream, createWriteStream(temp)));
  return { rows: listing.lines.length - 1, bytes: (await stat(output)).size };
}

/** An entry name made safe to store in the sample zip: no absolute path, no `..`, no empty or hidden parts. */
export function safeEntryPath(name: string): string {
  const parts = name
    .split(/[/\\]+/)
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map(sanitizeName);
  const joined = parts.join('/');
  return joined === '' || joined === LISTING_NAME ? 'entry' : joined;
}

/** A path part of letters, digits, `.`, `_` and `-` only, never hidden, never empty: an entry name others may unzip. */
function sanitizeName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents, split off by NFKD: é -> e
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 120);
  return safe === '' ? 'file' : safe;
}
