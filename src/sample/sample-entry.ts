// One log entry through the sampler: skip it (in flight, unchanged) or write its sample, and say what happened.
import { rm, stat } from 'node:fs/promises';
import { isInFlightFile } from '../discover/in-flight.js';
import { messageOf } from '../errors.js';
import { isInside, realPath } from '../fs/inside-root.js';
import { checkSafeName } from '../fs/safe-name.js';
import { rawNameOfBronze } from './bronze-path.js';
import { chooseSampler, type SampleFormat } from './choose-sampler.js';
import type { LoggedFile } from './processed-log.js';
import type { SampleCache } from './sample-cache.js';
import { pathTag, sampleFileName, samplePath } from './sample-name.js';
import { SampleProblem, errorCode, type SampleContext } from './sample-types.js';

export type SampleOutcome =
  | { readonly kind: 'sampled'; readonly bronze: string; readonly sample: string; readonly format: SampleFormat; readonly rows: number; readonly bytes: number }
  | { readonly kind: 'failed'; readonly bronze: string; readonly reason: string }
  | { readonly kind: 'unchanged'; readonly bronze: string }
  | { readonly kind: 'in-flight'; readonly bronze: string };

export interface EntryContext extends SampleContext {
  readonly samplesDir: string;
  readonly inFlightPrefixes: readonly string[];
  readonly cache: SampleCache;
  /** For reasons: where the entry was logged ("line 12 of processed.jsonl"). */
  readonly where: string;
  /** The one folder every bronze file must lie in, links resolved: a logged path that leaves it is refused. */
  readonly bronzeRoot: string;
}

/** `bronze` is the entry's bronze path resolved to an absolute path. */
export async function sampleEntry(entry: LoggedFile, bronze: string, context: EntryContext): Promise<SampleOutcome> {
  if (isInFlightFile(entry.raw, context.inFlightPrefixes) || isInFlightFile(rawNameOfBronze(bronze), context.inFlightPrefixes)) {
    return { kind: 'in-flight', bronze };
  }
  const cached = context.cache.get(bronze);
  if (cached && cached.mtime === entry.mtime && cached.size === entry.size) return { kind: 'unchanged', bronze };

  const choice = chooseSampler(bronze);
  const outcome = await writeSample(bronze, choice, context);
  const sample = outcome.kind === 'sampled' ? outcome.sample : null;
  // A file that changed and no longer samples must not leave its old sample looking current.
  if (cached?.sample && cached.sample !== sample) await rm(samplePath(context.samplesDir, cached.sample), { force: true });
  context.cache.set(bronze, {
    mtime: entry.mtime,
    size: entry.size,
    status: outcome.kind === 'sampled' ? 'sampled' : 'failed',
    sample,
    ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
  });
  return outcome;
}

async function writeSample(bronze: string, choice: ReturnType<typeof chooseSampler>, context: EntryContext): Promise<SampleOutcome> {
  const failed = (why: string): SampleOutcome => ({ kind: 'failed', bronze, reason: `${bronze} (${context.where}) ${why}; it is not sampled.` });
  // The sample's name comes from the bronze file's: it must pass the one rule for names that become a path.
  const named = checkSafeName(sampleFileName(choice.stem, choice.ext), "its sample's name");
  if (!named.ok) return failed(named.reason);
  const name = uniqueSampleName(bronze, choice.stem, choice.ext, context.cache);
  try {
    // The resolved path is what is checked and what is read, so a link swapped after the check cannot lead elsewhere.
    const target = realPath(bronze);
    if (!isInside(target, context.bronzeRoot)) {
      const resolved = target === bronze ? '' : ` (it resolves to ${target})`;
      return failed(`lies outside the bronze root ${context.bronzeRoot}${resolved}`);
    }
    const info = await stat(target);
    if (!info.isFile()) return failed('is not a regular file, so it has no sample');
    const written = await choice.sample(target, samplePath(context.samplesDir, name), context);
    return { kind: 'sampled', bronze, sample: name, format: choice.format, ...written };
  } catch (error) {
    return { kind: 'failed', bronze, reason: reasonFor(bronze, context.where, error) };
  }
}

/** `<stem>_sample.<ext>`, or with a tag of the bronze path when another bronze file already owns that name. */
function uniqueSampleName(bronze: string, stem: string, ext: string, cache: SampleCache): string {
  const plain = sampleFileName(stem, ext);
  const owner = cache.ownerOf(plain);
  return owner === undefined || owner === bronze ? plain : sampleFileName(stem, ext, pathTag(bronze));
}

function reasonFor(bronze: string, where: string, error: unknown): string {
  if (error instanceof SampleProblem) return `${bronze} ${error.message}.`;
  const code = errorCode(error);
  if (code === 'ENOENT') return `${bronze} is gone: the file logged on ${where} no longer exists.`;
  if (code === 'EACCES' || code === 'EPERM') return `${bronze} cannot be read: permission denied.`;
  return `Could not sample ${bronze}: ${messageOf(error)}.`;
}

