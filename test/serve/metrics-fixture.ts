// A metrics.parquet in the shape `strata derive` writes (the contract's columns), made from a lake's manifest with
// plausible values, so the page's metric views can be tested and measured without `strata derive`.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';

/** A number in [0, 1) from a run id, so the same lake gives the same metrics. */
const unit = (salt: number) => `((hash(run_id) % 1000003 + ${salt}) % 1000003) / 1000003.0`;

/**
 * One row per run and metric: cnp_voltage and cnp_resistance for IVg/VVg, delta_current for lit It/ITt,
 * delta_voltage for lit Vt, laser_power for every lit run of a chip. Returns the number of rows written.
 */
export async function writeMetricsFixture(manifestPath: string, metricsPath: string): Promise<number> {
  mkdirSync(path.dirname(metricsPath), { recursive: true });
  const engine = await Engine.open();
  const conn = await engine.connect();
  try {
    const m = `(SELECT * FROM read_parquet(${sqlLiteral(manifestPath)}) WHERE chip_number IS NOT NULL)`;
    const row = (metric: string, value: string, unitName: string, method: string, where: string) =>
      `SELECT run_id, chip_group, chip_number, proc, '${metric}' AS metric_name, CAST(${value} AS DOUBLE) AS value_float, '${unitName}' AS unit,
         '${method}' AS method, 'fixture-1' AS extraction_version, CAST(0.5 + 0.5 * ${unit(7)} AS DOUBLE) AS confidence,
         CASE WHEN ${unit(11)} < 0.1 THEN 'AT_EDGE' ELSE NULL END AS flags
       FROM ${m} WHERE ${where}`;
    const parts = [
      row('cnp_voltage', `-1.5 + 3 * ${unit(1)}`, 'V', 'max_resistance', `proc IN ('IVg', 'VVg', 'IVgT')`),
      row('cnp_resistance', `2000 + 8000 * ${unit(2)}`, 'ohm', 'max_resistance', `proc IN ('IVg', 'VVg', 'IVgT')`),
      row('delta_current', `1e-8 * pow(10, 2 * ${unit(3)})`, 'A', 'light_minus_dark', `proc IN ('It', 'ITt') AND has_light`),
      row('delta_voltage', `1e-4 * pow(10, ${unit(4)})`, 'V', 'light_minus_dark', `proc = 'Vt' AND has_light`),
      row('laser_power', `1e-7 * pow(10, 2 * ${unit(5)})`, 'W', 'nearest_calibration', `has_light`),
    ];
    const file = sqlLiteral(metricsPath);
    await conn.run(`COPY (${parts.join(' UNION ALL ')} ORDER BY run_id, metric_name) TO ${file} (FORMAT parquet)`);
    const [count] = await conn.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${file})`);
    return count?.n ?? 0;
  } finally {
    conn.close();
    engine.close();
  }
}
