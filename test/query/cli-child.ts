// `node --import tsx cli-child.ts ARGS`: the CLI in its own process, which reports its exit code and peak memory
// as the last line of stderr (for tests that bound memory).
import { main } from '../../src/cli/main.js';

const code = await main(process.argv.slice(2));
process.stderr.write(`\n${JSON.stringify({ code, peakMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exitCode = code;
