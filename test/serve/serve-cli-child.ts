// The CLI in a child process, so a test can start `strata serve` (which runs until a signal) and stop it by its pid.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
