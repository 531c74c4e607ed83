# Runs the lab's own extractors (Joaquim-mph/optothermal_processing, src/derived) on the runs of a strata lake and
# prints, per run, what they found, as one JSON object. strata's parity test compares it with metrics.parquet.
#
#   python lab_extractors.py LAB_REPO STAGE_ROOT MANIFEST HEADERS_JSON WORK_DIR
#
# HEADERS_JSON: procedure -> {strata column: the header the lab's code reads} (from strata's procedures YAML),
# since the lab's staged files keep the instrument's headers ("I (A)") where strata's have canonical names (i_a).
# Nothing of the lab's code is copied here: it is imported from LAB_REPO and called as its pipeline calls it.
import json
import os
import sys
import types
import warnings

# `scienceplots` only registers matplotlib styles for the lab's plots; it is not on this machine's package index,
# and importing the lab's extractors pulls in its plotting package. An empty module stands in for it.
sys.modules.setdefault("scienceplots", types.ModuleType("scienceplots"))
warnings.filterwarnings("ignore")

repo, stage_root, manifest_path, headers_json, work_dir = sys.argv[1:6]
sys.path.insert(0, repo)

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from scipy.optimize import curve_fit  # noqa: E402

from src.derived.algorithms.cnp_parabola import split_full_range_legs  # noqa: E402
from src.derived.algorithms.mobility import peak_gm_on_leg  # noqa: E402
from src.derived.algorithms.stretched_exponential import fit_stretched_exponential  # noqa: E402
from src.derived.extractors.calibration_matcher import CalibrationMatcher  # noqa: E402
from src.derived.extractors.cnp_extractor import CNPExtractor  # noqa: E402
from src.derived.extractors.its_relaxation_extractor import ITSRelaxationExtractor  # noqa: E402
from src.derived.extractors.photoresponse_extractor import PhotoresponseExtractor  # noqa: E402

headers = json.loads(headers_json)
manifest = pl.read_parquet(manifest_path)


def data_file(row):
    return os.path.join(stage_root, *row["path"].split("/"))


def lab_frame(row):
    """The run's data with the columns the lab's extractors read, named as the lab's staging names them."""
    frame = pl.read_parquet(data_file(row))
    names = headers.get(row["proc"], {})
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def finite(x):
    return None if x is None or not np.isfinite(x) else float(x)


# The extractors as the lab's pipeline registers them (metric_pipeline.py, cli derived_metrics.py).
cnp = {d: CNPExtractor(direction=d) for d in ("forward", "backward", "average")}
photo = PhotoresponseExtractor(vl_threshold=0.1, min_samples_per_state=5)
relax = ITSRelaxationExtractor(vl_threshold=0.1, min_led_on_time=10.0, min_points_for_fit=50, fit_segment="dark")


def sweep_metrics(frame, meta):
    out = {}
    for direction, extractor in cnp.items():
        m = extractor.extract(frame, meta)
        out[f"cnp_{direction}"] = None if m is None else {"value": m.value_float, "confidence": m.confidence, "flags": m.flags, "json": json.loads(m.value_json)}
    if meta["proc"] == "IVg" and "Vg (V)" in frame.columns and "I (A)" in frame.columns:
        vg = frame["Vg (V)"].to_numpy()
        i = frame["I (A)"].to_numpy()
        keep = np.isfinite(vg) & np.isfinite(i)
        legs = {}
        # The lab's mobility extractor: one peak-gm per full-range leg, a later leg of a direction replacing an earlier.
        for vg_leg, i_leg, direction in split_full_range_legs(vg[keep], i[keep], full_range_frac=0.95):
            gm_h, gm_e, vg_h, vg_e, *_rest = peak_gm_on_leg(vg_leg, i_leg)
            legs[direction] = {"holes": finite(gm_h), "electrons": finite(gm_e)}
        out["gm_legs"] = legs
    return out


def dark_stretch(frame):
    """The stretch the lab's relaxation extractor fits (its own segment finder), first point skipped, time from 0."""
    t = frame["t (s)"].to_numpy()
    i = frame["I (A)"].to_numpy()
    off = ~(frame["VL (V)"].to_numpy() > 0.1)
    edges = np.where(np.diff((~off).astype(int)) == -1)[0] + 1
    seg = relax._find_longest_led_segment(t, off) if len(edges) == 0 else relax._find_longest_dark_after_light(t, off, edges)
    if seg is None or t[seg[1] - 1] - t[seg[0]] < 10.0 or seg[1] - seg[0] < 50:
        return None
    start = seg[0] + 1
    return t[start:seg[1]] - t[start], i[start:seg[1]]


def lab_fit(stretch):
    """The lab's own fit on that stretch, also where its extractor drops the result (R^2 < 0.5, not converged)."""
    try:
        fit = fit_stretched_exponential(*stretch)
    except Exception:
        return None
    return {"tau": fit["tau"], "beta": fit["beta"], "r_squared": fit["r_squared"], "converged": fit["converged"], "iterations": fit["n_iterations"]}


def reference_fit(stretch):
    """scipy's curve_fit (trust region, scaled) on the same stretch and bounds as strata's: a converged reference."""
    ts, ys = stretch
    keep = np.isfinite(ts) & np.isfinite(ys)
    ts, ys = ts[keep], ys[keep]
    span = ts[-1]
    scale = np.max(np.abs(ys - ys.mean())) or 1.0
    base = ys[-max(10, len(ys) // 5):].mean()

    def model(x, b, a, tau, beta):
        return b + a * np.exp(-((x / tau) ** beta))

    try:
        p, _ = curve_fit(model, ts, ys, p0=[base, ys[0] - base, span / 3, 0.7], bounds=([-np.inf, -np.inf, 1e-6 * span, 0.01], [np.inf, np.inf, 20 * span, 1.0]),
                         x_scale=[scale, scale, span, 1.0], max_nfev=5000)
    except Exception:
        return None
    residual = ys - model(ts, *p)
    r2 = 1 - np.sum(residual ** 2) / np.sum((ys - ys.mean()) ** 2)
    return {"tau": float(p[2]), "beta": float(p[3]), "r_squared": float(r2), "span": float(span)}


def time_metrics(frame, meta):
    out = {}
    m = photo.extract(frame, meta)
    out["photoresponse"] = None if m is None else {"value": m.value_float, "confidence": m.confidence, "flags": m.flags, "ratio": json.loads(m.value_json)["response_ratio"]}
    if meta["proc"] == "It":
        r = relax.extract(frame, meta)
        out["tau_dark"] = None if r is None else {"value": r.value_float, "flags": r.flags, "json": json.loads(r.value_json)}
        stretch = dark_stretch(frame) if {"t (s)", "I (A)", "VL (V)"} <= set(frame.columns) else None
        out["tau_lab_fit"] = None if stretch is None else lab_fit(stretch)
        out["tau_reference"] = None if stretch is None else reference_fit(stretch)
    return out


def calibration_matcher():
    """The lab's matcher over this lake's LaserCalibration runs, their curves under the lab's column names."""
    cal = manifest.filter(pl.col("proc") == "LaserCalibration")
    names = headers.get("LaserCalibration", {})
    paths = []
    for row in cal.iter_rows(named=True):
        copy = os.path.join(work_dir, f"calibration-{row['run_id']}.parquet")
        frame = pl.read_parquet(data_file(row))
        frame.rename({c: names[c] for c in frame.columns if c in names}).write_parquet(copy)
        paths.append(copy)
    matcher = CalibrationMatcher.__new__(CalibrationMatcher)
    matcher.calibrations = cal.select(
        pl.col("laser_wavelength_nm").alias("wavelength_nm"), pl.col("start_time_utc").alias("start_dt"), pl.Series("parquet_path", paths), pl.lit(None).alias("seq")
    ).sort("start_dt")
    matcher.available_wavelengths = sorted(matcher.calibrations["wavelength_nm"].drop_nulls().unique().to_list())
    return matcher


matcher = calibration_matcher()
runs = {}
for row in manifest.iter_rows(named=True):
    proc = row["proc"]
    if proc == "LaserCalibration":
        continue
    meta = dict(row, procedure=proc)
    out = {}
    if proc in ("IVg", "VVg", "It", "ITt", "Vt"):
        frame = lab_frame(row)
        out.update(sweep_metrics(frame, meta) if proc in ("IVg", "VVg") else time_metrics(frame, meta))
    if row["has_light"] is True:
        wavelength = row.get("laser_wavelength_nm")
        match = matcher.find_calibration(row["start_time_utc"], wavelength) if wavelength is not None else None
        power = None
        if match is not None and match.calibration_path is not None and row.get("laser_voltage_v") is not None:
            power = matcher.get_power_from_calibration(match.calibration_path, row["laser_voltage_v"])
        out["laser_power"] = {"value": power, "status": None if match is None else match.status, "hours": None if match is None else match.time_delta_hours}
    runs[row["run_id"]] = out

sys.stdout.write(json.dumps({"runs": runs}, default=lambda x: None))
sys.stdout.write("\n")
