// `npm run bench [-- area...]`: runs every benchmark area (or the named ones) and prints the figures.
import { type BenchSection } from './harness.js';

type Area = () => Promise<BenchSection>;

const areas: Record<string, () => Promise<Area>> = {
  load: async () => (await import('./load.bench.js')).bench,
  stage: async () => (await import('./stage.bench.js')).bench,
  sample: async () => (await import('./sample.bench.js')).bench,
  history: async () => (await import('./history.bench.js')).bench,
  serve: async () => (await import('./serve.bench.js')).bench,
  derive: async () => (await import('./derive.bench.js')).bench,
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(areas);
for (const name of names) {
  const load = areas[name];
  if (!load) {
    process.stderr.write(`bench: unknown area '${name}'; known: ${Object.keys(areas).join(', ')}\n`);
    process.exit(2);
  }
  const section = await (await load())();
  process.stdout.write(`\n## ${section.title}\n${section.lines.map((l) => `- ${l}`).join('\n')}\n`);
}
