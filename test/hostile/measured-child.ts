// `node --import tsx measured-child.ts USAGE_FILE ARGS...`: the CLI in its own process; on exit, its peak memory
// (the kernel's high-water mark of resident memory, worker threads and DuckDB included) is written to USAGE_FILE.
import { writeFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';

const [usageFile, ...args] = process.argv.slice(2);
process.on('exit', () => writeFileSync(usageFile!, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 })));
process.exitCode = await main(args);
