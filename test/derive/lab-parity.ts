// strata's metrics against the lab's extractors, run by run: each pair agrees, differs for a reason said in words,
// or is left unexplained (which the parity test fails on).

/** What test/derive/lab_extractors.py printed for one run. */
export interface LabRun {
  readonly cnp_forward?: LabCnp | null;
  readonly cnp_backward?: LabCnp | null;
  readonly cnp_average?: LabCnp | null;
  readonly gm_legs?: Readonly<Record<string, { readonly holes: number | null; readonly electrons: number | null }>>;
  readonly photoresponse?: { readonly value: number; readonly confidence: number; readonly flags: string | null; readonly ratio: number | null } | null;
  readonly tau_dark?: { readonly value: number; readonly flags: string | null } | null;
  readonly tau_lab_fit?: { readonly tau: number; readonly r_squared: number; readonly converged: boolean; readonly iterations: number } | null;
  readonly tau_reference?: { readonly tau: number; readonly r_squared: number; readonly span: number } | null;
  readonly laser_power?: { readonly value: number | null; readonly status: string | null; readonly hours: number | null };
}

interface LabCnp {
  readonly value: number;
  readonly confidence: number;
  readonly flags: string | null;
  readonly json: { readonly hysteresis_v: number | null; readonly i_fwd: number | null; readonly i_back: number | null; readonly vds_v: number | null };
}

/** A row of strata's metrics.parquet, and what the test knows of its run. */
export interface StrataMetric {
  readonly value: number | null;
  readonly confidence: number | null;
  readonly flags: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
}

export interface RunContext {
  readonly runId: string;
  readonly sourceFile: string;
  readonly gateStep: number | null;
}

export type Verdict = { readonly kind: 'agree'; readonly how: string } | { readonly kind: 'explained'; readonly why: string } | { readonly kind: 'unexplained'; readonly what: string };

export interface MetricParity {
  readonly metric: string;
  readonly compared: number;
  /** how -> runs */
  readonly agree: Record<string, number>;
  /** why -> runs */
  readonly explained: Record<string, number>;
  readonly unexplained: string[];
}

const close = (a: number, b: number, relative: number) => Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b), 1e-300);
const flagSet = (flags: string | null | undefined) => new Set((flags ?? '').split(',').filter((f) => f !== ''));

/** Both without a value, or both with one, equal within `tolerance` (a word for the report, and the test). */
function values(lab: number | null | undefined, strata: StrataMetric | undefined, tolerance: { readonly exact: number; readonly within?: { readonly amount: number; readonly words: string } }, words: string): Verdict {
  const s = strata?.value ?? null;
  const l = lab ?? null;
  if (l === null && s === null) return { kind: 'agree', how: 'neither has a value' };
  if (l === null || s === null) return { kind: 'unexplained', what: `${words}: lab ${l ?? 'none'}, strata ${s ?? `none (${strata?.flags ?? 'no row'})`}` };
  if (close(l, s, tolerance.exact)) return { kind: 'agree', how: 'same value' };
  if (tolerance.within !== undefined && Math.abs(l - s) <= tolerance.within.amount) return { kind: 'agree', how: tolerance.within.words };
  return { kind: 'unexplained', what: `${words}: lab ${l}, strata ${s}` };
}

const EXACT = 1e-9;

/** Every comparison of one run: metric name -> verdict. */
export function compareRun(lab: LabRun, strata: ReadonlyMap<string, StrataMetric>, run: RunContext): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  const step = run.gateStep ?? 0.05;
  const stepWords = { amount: step, words: `within one gate step (${step} V)` };
  if ('cnp_average' in lab) {
    for (const [name, l] of [
      ['cnp_voltage', lab.cnp_average],
      ['cnp_forward', lab.cnp_forward],
      ['cnp_backward', lab.cnp_backward],
    ] as const) {
      const verdict = values(l?.value, strata.get(name), { exact: EXACT, within: stepWords }, name);
      out.set(name, verdict);
      const s = strata.get(name);
      if (l && s?.confidence !== null && s?.confidence !== undefined) {
        out.set(`${name} confidence`, close(l.confidence, s.confidence, EXACT) ? { kind: 'agree', how: 'same confidence' } : { kind: 'unexplained', what: `confidence: lab ${l.confidence}, strata ${s.confidence}` });
      }
    }
    const json = (lab.cnp_average ?? lab.cnp_forward ?? lab.cnp_backward)?.json;
    out.set('cnp_hysteresis', values(json?.hysteresis_v, strata.get('cnp_hysteresis'), { exact: EXACT }, 'hysteresis'));
    // The lab stores the fitted current at each vertex; the resistance there is VDS over it.
    const vds = json?.vds_v ?? null;
    const rs = [json?.i_fwd, json?.i_back].filter((i): i is number => typeof i === 'number').map((i) => Math.abs(vds ?? NaN) / Math.abs(i));
    const labR = vds === null || vds === 0 || rs.length === 0 ? null : rs.reduce((a, b) => a + b, 0) / rs.length;
    out.set('cnp_resistance', values(labR, strata.get('cnp_resistance'), { exact: EXACT }, 'resistance'));
  }
  if (lab.gm_legs !== undefined) {
    const peaks = Object.values(lab.gm_legs)
      .map((g) => [g.holes, g.electrons].filter((x): x is number => x !== null).map(Math.abs))
      .filter((p) => p.length > 0)
      .map((p) => Math.max(...p));
    const labGm = peaks.length === 2 ? (peaks[0]! + peaks[1]!) / 2 : null;
    out.set('transconductance_max', values(labGm, strata.get('transconductance_max'), { exact: 1e-6 }, 'peak |gm|'));
  }
  if ('photoresponse' in lab) {
    const delta = strata.get('delta_current') ?? strata.get('delta_voltage');
    const name = strata.has('delta_voltage') ? 'delta_voltage' : 'delta_current';
    out.set(name, values(lab.photoresponse?.value, delta, { exact: EXACT }, name));
    out.set('photoresponse_ratio', values(lab.photoresponse?.ratio, strata.get('photoresponse_ratio'), { exact: EXACT }, 'ratio'));
    if (lab.photoresponse && delta) {
      const same = close(lab.photoresponse.confidence, delta.confidence ?? NaN, EXACT) && sameFlags(lab.photoresponse.flags, delta.flags);
      out.set(`${name} confidence and flags`, same ? { kind: 'agree', how: 'same confidence and flags' } : { kind: 'unexplained', what: `lab ${lab.photoresponse.confidence} ${lab.photoresponse.flags}, strata ${delta.confidence} ${delta.flags}` });
    }
  }
  if ('tau_dark' in lab) {
    out.set('tau_dark', compareTau(lab, strata.get('tau_dark')));
    const reference = tauAgainstReference(lab, strata.get('tau_dark'));
    if (reference !== null) out.set('tau_dark against scipy', reference);
  }
  if (lab.laser_power !== undefined) out.set('laser_power', comparePower(lab.laser_power, strata.get('laser_power')));
  return out;
}

function sameFlags(a: string | null, b: string | null): boolean {
  const x = flagSet(a);
  const y = flagSet(b);
  return x.size === y.size && [...x].every((f) => y.has(f));
}

function comparePower(lab: NonNullable<LabRun['laser_power']>, strata: StrataMetric | undefined): Verdict {
  const verdict = values(lab.value, strata, { exact: EXACT }, 'laser power');
  if (verdict.kind !== 'agree' || strata === undefined) return verdict;
  const flags = flagSet(strata.flags);
  // The lab says 'future' for a calibration taken after the run, 'stale' for one over a day old.
  if ((lab.status === 'future') !== flags.has('CALIBRATION_AFTER_RUN') || (lab.status === 'stale') !== flags.has('CALIBRATION_STALE')) {
    return { kind: 'unexplained', what: `calibration status: lab ${lab.status}, strata flags ${strata.flags}` };
  }
  return verdict;
}

/**
 * Tau is where the two differ by design: the lab's Levenberg-Marquardt damps every parameter by the same constant,
 * which next to currents of microamps freezes tau and beta at their starting values; strata fits in unit-free
 * parameters. Each difference is put down to that, to strata declining a tau the stretch cannot measure, or to the
 * lab dropping its own fit, using the lab's fit on the same stretch and scipy's curve_fit as witnesses.
 */
function compareTau(lab: LabRun, strata: StrataMetric | undefined): Verdict {
  const l = lab.tau_dark?.value ?? null;
  const s = strata?.value ?? null;
  const start = typeof strata?.details?.['tau_start_s'] === 'number' ? (strata.details['tau_start_s'] as number) : null;
  const span = lab.tau_reference?.span ?? null;
  const reference = lab.tau_reference?.tau ?? null;
  // Within 1 % of where it started: the lab's steps in tau are damped to nothing (a few thousandths of a second).
  const unmoved = l !== null && start !== null && close(l, start, 0.01);
  const why = flagSet(strata?.flags);
  if (l === null && s === null) return { kind: 'agree', how: 'neither has a value' };
  if (l !== null && s !== null && close(l, s, 0.05)) return { kind: 'agree', how: close(l, s, 0.01) ? 'within 1 %' : 'within 5 %' };
  if (unmoved) {
    return { kind: 'explained', why: s !== null ? "the lab's fit stayed within 1 % of its starting tau; strata's converged elsewhere" : `the lab's fit stayed within 1 % of its starting tau; strata has none (${[...why].join(',')})` };
  }
  if (l === null && s !== null) {
    const fit = lab.tau_lab_fit;
    if (fit && (fit.r_squared < 0.5 || !fit.converged)) return { kind: 'explained', why: "the lab dropped its own fit (R² < 0.5: it stayed near its start); strata's converged fit explains more than half" };
    return { kind: 'unexplained', what: `tau: lab none, strata ${s}` };
  }
  if (l !== null && s === null && why.has('TAU_UNDETERMINED') && span !== null && l > span && (reference === null || reference > span)) {
    return { kind: 'explained', why: 'tau is longer than the dark stretch: strata gives none (TAU_UNDETERMINED), the lab a value it cannot have measured' };
  }
  if (l !== null && s !== null && reference !== null && close(reference, s, 0.05)) {
    return { kind: 'explained', why: "the lab's fit stopped short of the minimum; scipy's curve_fit agrees with strata within 5 %" };
  }
  return { kind: 'unexplained', what: `tau: lab ${l ?? 'none'}, strata ${s ?? `none (${strata?.flags})`}, scipy ${reference ?? 'none'}` };
}

/**
 * strata's tau against scipy's curve_fit on the lab's own stretch, where both have one: the witness that strata's
 * fit converges where an established optimiser does.
 */
function tauAgainstReference(lab: LabRun, strata: StrataMetric | undefined): Verdict | null {
  const s = strata?.value ?? null;
  const reference = lab.tau_reference;
  if (s === null || reference === null || reference === undefined) return null;
  if (close(reference.tau, s, 0.05)) return { kind: 'agree', how: close(reference.tau, s, 0.01) ? 'within 1 %' : 'within 5 %' };
  if (reference.tau > reference.span && s > reference.span) return { kind: 'explained', why: 'both put tau beyond the dark stretch, where the stretch hardly constrains it' };
  const r2 = strata?.details?.['r_squared'];
  if (typeof r2 === 'number' && r2 >= reference.r_squared - 1e-4) {
    return { kind: 'explained', why: "strata's curve fits the stretch at least as well (its R² is as high or higher): scipy stopped earlier, where the valley in tau is flat" };
  }
  return { kind: 'unexplained', what: `tau: strata ${s}, scipy ${reference.tau} (stretch ${reference.span} s)` };
}

/** The verdicts of all runs, gathered per metric. */
export function gatherParity(verdicts: readonly { readonly run: RunContext; readonly verdicts: ReadonlyMap<string, Verdict> }[]): MetricParity[] {
  const byMetric = new Map<string, MetricParity>();
  for (const { run, verdicts: vs } of verdicts) {
    for (const [metric, v] of vs) {
      let p = byMetric.get(metric);
      if (!p) byMetric.set(metric, (p = { metric, compared: 0, agree: {}, explained: {}, unexplained: [] }));
      (p as { compared: number }).compared++;
      if (v.kind === 'agree') p.agree[v.how] = (p.agree[v.how] ?? 0) + 1;
      else if (v.kind === 'explained') p.explained[v.why] = (p.explained[v.why] ?? 0) + 1;
      else p.unexplained.push(`${run.sourceFile} (${run.runId}): ${v.what}`);
    }
  }
  return [...byMetric.values()];
}

/** The parity table as Markdown, for docs/derive.md. */
export function parityTable(parity: readonly MetricParity[]): string {
  const lines = ['| metric | runs | agree | explained differences | unexplained |', '|---|---:|---|---|---:|'];
  for (const p of parity) {
    const agree = Object.entries(p.agree).map(([how, n]) => `${n} ${how}`).join('; ');
    const explained = Object.entries(p.explained).map(([why, n]) => `${n}: ${why}`).join('; ') || '-';
    lines.push(`| ${p.metric} | ${p.compared} | ${agree} | ${explained} | ${p.unexplained.length} |`);
  }
  return lines.join('\n');
}
