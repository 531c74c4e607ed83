// `node --import tsx conform-child.ts RAW LAKE`: one stage run in its own process, saying on stdout each step of
// its rewrite of older data files (`rewriting <n>`) and, at the end, its summary and its peak memory.
import { stageRawFiles } from '../../../src/pipeline/stage-raw-files.js';
import { lakeConfig } from '../../support/stage-lake.js';

const [raw, lake] = process.argv.slice(2);
let rewriting = false;
let step = 0;
const summary = await stageRawFiles(lakeConfig(raw!, lake!, { workers: 2 }), {
  progress: {
    start(label) {
      rewriting = label.startsWith('bringing data files');
    },
    advance(steps = 1) {
      if (!rewriting) return;
      step += steps;
      process.stdout.write(`rewriting ${step}\n`);
    },
    stop() {
      rewriting = false;
    },
  },
});
const { ok, rejected, conformed } = summary;
process.stdout.write(`${JSON.stringify({ ok, rejected, conformed, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
