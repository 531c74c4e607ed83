// A second process for the lock tests: opens a DuckDB file, says `ready` on stdout, and holds it for argv[3] ms.
import { Engine } from '../../src/engine/duckdb.js';

const [file, ms] = process.argv.slice(2);
const engine = await Engine.open(file!);
process.stdout.write('ready\n');
setTimeout(() => engine.close(), Number(ms));
