// `npm run bench [-- area... [--option value...]]`: runs every benchmark area (or the named ones) and prints the
// figures. Options after the areas go to each of them; `scale` (minutes to hours) runs only when named.
import { type BenchSection } from './harness.js';

type Area = (options: readonly string[]) => Promise<BenchSection>;

const areas: Record<string, () => Promise<Area>> = {
  load: async () => (await import('./load.bench.js')).bench,
  stage: async () => (await import('./stage.bench.js')).bench,
  sample: async () => (await import('./sample.bench.js')).bench,
  history: async () => (await import('./history.bench.js')).bench,
  serve: async () => { const { bench } = await import('./serve.bench.js'); return () => bench(); },
  derive: async () => (await import('./derive.bench.js')).bench,
  scale: async () => (await import('./scale.bench.js')).bench,
  query: async () => (await import('./query.bench.js')).bench,
  bigfile: async () => (await import('./bigfile.bench.js')).bench,
};
const ONLY_WHEN_NAMED = new Set(['scale', 'bigfile']);

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const wanted = firstOption < 0 ? args : args.slice(0, firstOption);
const options = firstOption < 0 ? [] : args.slice(firstOption);
const names = wanted.length > 0 ? wanted : Object.keys(areas).filter((name) => !ONLY_WHEN_NAMED.has(name));
for (const name of names) {
  const load = areas[name];
  if (!load) {
    process.stderr.write(`bench: unknown area '${name}'; known: ${Object.keys(areas).join(', ')}\n`);
    process.exit(2);
  }
  const section = await (await load())(options);
  process.stdout.write(`\n## ${section.title}\n${section.lines.map((l) => `- ${l}`).join('\n')}\n`);
  if (section.after !== undefined) process.stdout.write(`\n${section.after}\n`);
}
