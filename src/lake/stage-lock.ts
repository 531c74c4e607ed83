// One stage run at a time per lake. A lock left by a run that died means its temp files must be swept.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StrataError } from '../errors.js';
import { removeTempFiles } from './atomic-file.js';

export interface StageLock {
  /** Temp files removed because the previous run did not finish. */
  readonly sweptTempFiles: number;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lake's lock; if the last run died holding it, first sweeps temp files from `stageRoot` and `alsoSweep`. */
export function acquireStageLock(stageRoot: string, alsoSweep: readonly string[] = []): StageLock {
  mkdirSync(stageRoot, { recursive: true });
  const lockFile = path.join(stageRoot, '.strata-stage.lock');
  let swept = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { sweptTempFiles: swept, release: () => rmSync(lockFile, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new StrataError('config', `another strata stage run (process ${holder}) is writing to ${stageRoot}; wait for it to finish.`, {
          stageRoot,
        });
      }
      // The previous run died mid-way: its half-written temp files go, its finished files stay.
      for (const dir of [stageRoot, ...alsoSweep]) swept += removeTempFiles(dir);
      rmSync(lockFile, { force: true });
    }
  }
  throw new StrataError('internal', `could not take the stage lock in ${stageRoot}.`);
}
