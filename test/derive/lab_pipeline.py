# The lab's own metric pipeline (Joaquim-mph/optothermal_processing), as `npm run bench -- derive` times it
# against `strata derive`. Nothing of the lab's code is copied here: it is imported from LAB_REPO.
#
#   python lab_pipeline.py convert LAB_REPO STAGE_ROOT MANIFEST HEADERS_JSON LAB_LAKE
#       copies a strata lake into the lab's shape (not timed): data columns under the instrument's headers, as the
#       lab's staging writes them, and a manifest with the lab's column names and absolute data file paths.
#   python lab_pipeline.py run LAB_REPO LAB_LAKE
#       what the lab's `derive-all-metrics` and `derive-fitting-metrics` do for the metrics strata derives: the
#       MetricPipeline with the CNP (three directions), photoresponse and dark-relaxation extractors, sequential
#       (its documented fastest mode), then the laser power of every lit run from its CalibrationMatcher.
import json
import os
import sys
import types
import warnings

sys.modules.setdefault("scienceplots", types.ModuleType("scienceplots"))  # plot styles only; not on the offline index
warnings.filterwarnings("ignore")

mode, repo = sys.argv[1:3]
sys.path.insert(0, repo)

from pathlib import Path  # noqa: E402

import polars as pl  # noqa: E402


def convert(stage_root, manifest_path, headers_json, lake):
    headers = json.loads(headers_json)
    manifest = pl.read_parquet(manifest_path)
    paths = []
    for row in manifest.iter_rows(named=True):
        source = os.path.join(stage_root, *row["path"].split("/"))
        target = os.path.join(lake, "raw_measurements", *row["path"].split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        names = headers.get(row["proc"], {})
        frame = pl.read_parquet(source)
        frame.rename({c: names[c] for c in frame.columns if c in names}).write_parquet(target)
        paths.append(target)
    lab = manifest.with_columns(pl.Series("path", paths), pl.col("laser_wavelength_nm").alias("wavelength_nm"))
    os.makedirs(os.path.join(lake, "_manifest"), exist_ok=True)
    lab.write_parquet(os.path.join(lake, "_manifest", "manifest.parquet"))


def run(lake):
    from src.derived.extractors.calibration_matcher import CalibrationMatcher
    from src.derived.extractors.cnp_extractor import CNPExtractor
    from src.derived.extractors.its_relaxation_extractor import ITSRelaxationExtractor
    from src.derived.extractors.photoresponse_extractor import PhotoresponseExtractor
    from src.derived.metric_pipeline import MetricPipeline

    manifest_path = Path(lake) / "_manifest" / "manifest.parquet"
    pipeline = MetricPipeline(
        base_dir=Path(lake),
        extractors=[
            CNPExtractor(direction="forward"),
            CNPExtractor(direction="backward"),
            CNPExtractor(direction="average"),
            PhotoresponseExtractor(vl_threshold=0.1, min_samples_per_state=5),
            ITSRelaxationExtractor(vl_threshold=0.1, min_led_on_time=10.0, min_points_for_fit=50, fit_segment="dark"),
        ],
        pairwise_extractors=[],
        extraction_version="bench",
        stage_root=Path(lake) / "raw_measurements",
        manifest_path=manifest_path,
    )
    metrics = pl.read_parquet(pipeline.derive_all_metrics(parallel=False))
    matcher = CalibrationMatcher(manifest_path)
    manifest = pl.read_parquet(manifest_path).filter(pl.col("has_light") & (pl.col("proc") != "LaserCalibration"))
    powers = 0
    for row in manifest.iter_rows(named=True):
        match = matcher.find_calibration(row["start_time_utc"], row["wavelength_nm"])
        if match.calibration_path is not None and matcher.get_power_from_calibration(match.calibration_path, row["laser_voltage_v"]) is not None:
            powers += 1
    print(json.dumps({"metrics": metrics.height, "powers": powers}))


if mode == "convert":
    convert(*sys.argv[3:7])
else:
    run(sys.argv[3])
