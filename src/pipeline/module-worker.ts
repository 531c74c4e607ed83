// Starts a worker thread running one of this folder's modules: the compiled .js in dist/, or under tsx (tests, the
// bench from source) the .ts source, loaded through tsx.
import { Worker, type ResourceLimits } from 'node:worker_threads';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * A worker running `./<name>.js` of this folder, with the parent's node flags but those a worker refuses:
 * `--input-type` (a `node -e` parent) would stop a file worker from starting, and V8's own flags
 * (`--max-semi-space-size`...) apply to the whole process already.
 */
export function startModuleWorker(name: string, options: { readonly resourceLimits?: ResourceLimits; readonly workerData?: unknown } = {}): Worker {
  const url = new URL(`./${name}${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);
  // A worker does not inherit tsx's loader on Node 20: the source worker registers it first.
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  let execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type') && flag !== '-e' && flag !== '--eval');
  for (;;) {
    try {
      const common = { execArgv, resourceLimits: options.resourceLimits, workerData: options.workerData };
      return FROM_SOURCE ? new Worker(boot, { eval: true, ...common }) : new Worker(url, common);
    } catch (error) {
      const refused = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_INVALID_EXEC_ARGV' ? /flags: (.*)$/.exec((error as Error).message)?.[1]?.split(', ') : undefined;
      if (refused === undefined || !refused.some((flag) => execArgv.includes(flag))) throw error;
      execArgv = execArgv.filter((flag) => !refused.includes(flag));
    }
  }
}
