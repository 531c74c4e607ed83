// `node --import tsx stage-child.ts RAW LAKE`: one stage run in its own process, for tests that kill it.
import { stageInto } from './stage-lake.js';

const [raw, lake] = process.argv.slice(2);
const { summary } = await stageInto(raw!, lake!, { workers: 2 });
process.stdout.write(`${JSON.stringify({ ok: summary.ok, adopted: summary.adopted, rejected: summary.rejected, skipped: summary.skipped })}\n`);
