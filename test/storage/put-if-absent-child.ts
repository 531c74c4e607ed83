// `node --import tsx put-if-absent-child.ts LOCATION PATHS_JSON TAG`: one writer of the put-if-absent race. It opens
// the location, says `ready`, waits for `go` on stdin (so that every writer starts at once), writes its tag to
// each path only if absent, and prints the outcomes as JSON.
import { openLakeStorage } from '../../src/storage/open-lake-storage.js';
import { s3SettingsFromEnvironment } from '../../src/storage/s3/s3-settings.js';

const [location, pathsJson, tag] = process.argv.slice(2);
const paths = JSON.parse(pathsJson!) as string[];
const storage = await openLakeStorage(location!, { s3: s3SettingsFromEnvironment(process.env) });
const body = new TextEncoder().encode(tag);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const outcomes: string[] = [];
for (const path of paths) outcomes.push((await storage.putIfAbsent(path, body)).kind);
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
process.exit(0);
