// Samples of files in no known format: a small JSON record of size, time and type (the first bytes tell the type).
import { open } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../fs/atomic-file.js';
import type { SampleWritten, Sampler } from './sample-types.js';

const SIGNATURES: readonly (readonly [string, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['parquet', [0x50, 0x41, 0x52, 0x31]],
  ['pdf', [0x25, 0x50, 0x44, 0x46]],
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['hdf5', [0x89, 0x48, 0x44, 0x46]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];

export const sampleMeta: Sampler = async (input, output): Promise<SampleWritten> => {
  const handle = await open(input, 'r');
  let record: Record<string, unknown>;
  try {
    const info = await handle.stat();
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    record = {
      file: path.basename(input),
      size: info.size,
      mtime: info.mtime.toISOString(),
      type: { extension: path.extname(input).toLowerCase() || null, detected: detectType(head.subarray(0, bytesRead)) },
    };
  } finally {
    await handle.close();
  }
  const text = `${JSON.stringify(record, null, 2)}\n`;
  await writeFileAtomically(output, text);
  return { rows: 0, bytes: Buffer.byteLength(text) };
};

/** A name for the content from its first bytes: a known signature, else `text` (UTF-8 without NULs), else `binary`. */
export function detectType(head: Buffer): string {
  if (head.length === 0) return 'empty';
  for (const [name, signature] of SIGNATURES) {
    if (signature.every((byte, i) => head[i] === byte)) return name;
  }
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return !head.includes(0) && isUtf8Start(head) ? 'text' : 'binary';
}

function isUtf8Start(head: Buffer): boolean {
  try {
    // stream: true lets a character cut at the end of the head pass.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}
