// A second process for the lock tests: opens a DuckDB file, says `ready` on stdout, and holds it for argv[3] ms or
// until its stdin ends, whichever comes first.
import { Engine } from '../../src/engine/duckdb.js';

const [file, ms] = process.argv.slice(2);
const engine = await Engine.open(file!);
process.stdout.write('ready\n');
const timer = setTimeout(() => engine.close(), Number(ms));
process.stdin.on('end', () => {
  clearTimeout(timer);
  engine.close();
});
process.stdin.resume();
