// Parity with the lab's own extractors (optothermal_processing src/derived) on the real corpus: strata stages and
// derives it, the lab's extractors run on the same staged runs, and every metric of every run must agree or differ
// for a reason the comparison can name. Runs when the corpus, the lab's repository and a Python with its
// dependencies are there (see lab-environment.ts); the table it prints is the one in docs/derive.md.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deriveMetrics } from '../../src/derive/derive-metrics.js';
import { Engine } from '../../src/engine/duckdb.js';
import { loadProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';
import { labEnvironment } from './lab-environment.js';
import { compareRun, gatherParity, parityTable, type LabRun, type StrataMetric } from './lab-parity.js';
import { SHIPPED_PROCEDURES_YAML } from '../../src/schema/shipped-procedures.js';

const lab = labEnvironment();
const harness = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lab_extractors.py');

describe("strata derive against the lab's extractors", { skip: lab.skip }, () => {
  it('agrees with the lab run by run on the real corpus, and says why wherever it differs', { timeout: 900_000 }, async () => {
    const env = lab.env!;
    const out = tempDir('strata-lab-parity-');
    const { config } = await stageInto(env.corpus, out);
    const catalog = loadProcedureCatalog(SHIPPED_PROCEDURES_YAML);
    const summary = await deriveMetrics({ manifestFile: config.manifestPath, stageRoot: config.stageRoot, derivedRoot: path.join(out, 'derived'), catalog, extractionVersion: 'test' });

    const headers = Object.fromEntries([...catalog.procedures].map(([name, p]) => [name, Object.fromEntries(p.data.filter((d) => d.header !== undefined).map((d) => [d.name, d.header]))]));
    const work = path.join(out, 'lab-work');
    mkdirSync(work);
    const printed = execFileSync(env.python, [harness, env.repo, config.stageRoot, config.manifestPath, JSON.stringify(headers), work], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, MPLBACKEND: 'Agg', NUMBA_CACHE_DIR: path.join(out, 'numba-cache') },
    });
    const labRuns = (JSON.parse(printed) as { runs: Record<string, LabRun> }).runs;

    const engine = await Engine.open();
    const conn = await engine.connect();
    const rows = await conn.all<{ run_id: string; metric_name: string; value_float: number | null; confidence: number | null; flags: string | null; value_json: string | null }>(
      `SELECT run_id, metric_name, value_float, confidence, flags, value_json FROM read_parquet('${summary.layout.metricsFile.replaceAll("'", "''")}')`,
    );
    const runs = await conn.all<{ run_id: string; source_file: string; vg_step_v: number | null }>(`SELECT run_id, source_file, vg_step_v FROM read_parquet('${config.manifestPath.replaceAll("'", "''")}')`);
    conn.close();
    engine.close();
    const strata = new Map<string, Map<string, StrataMetric>>();
    for (const r of rows) {
      const metrics = strata.get(r.run_id) ?? new Map<string, StrataMetric>();
      metrics.set(r.metric_name, { value: r.value_float, confidence: r.confidence, flags: r.flags, details: r.value_json === null ? null : (JSON.parse(r.value_json) as Record<string, unknown>) });
      strata.set(r.run_id, metrics);
    }
    const contexts = new Map(runs.map((r) => [r.run_id, { runId: r.run_id, sourceFile: r.source_file, gateStep: r.vg_step_v }]));
    const parity = gatherParity(Object.entries(labRuns).map(([runId, labRun]) => ({ run: contexts.get(runId)!, verdicts: compareRun(labRun, strata.get(runId) ?? new Map(), contexts.get(runId)!) })));
    const table = parityTable(parity);
    console.log(`\n${table}\n`);

    const unexplained = parity.flatMap((p) => p.unexplained.map((u) => `${p.metric}: ${u}`));
    assert.deepEqual(unexplained, [], 'every difference between strata and the lab has a reason');
    const of = (metric: string) => parity.find((p) => p.metric === metric)!;
    // The algorithms strata shares with the lab give the lab's numbers on every run of the corpus.
    for (const metric of ['cnp_voltage', 'cnp_forward', 'cnp_backward', 'cnp_hysteresis', 'cnp_resistance', 'transconductance_max', 'delta_current', 'photoresponse_ratio', 'laser_power']) {
      assert.ok(of(metric).compared > 100, `${metric} was compared on the corpus`);
      assert.deepEqual(of(metric).explained, {}, `${metric}: no difference at all`);
    }
    assert.ok(of('tau_dark').compared > 150);
  });
});
