"""Check trained weights against the bars they must reach to ship, then put them into the package with their card.

Takes what a training run left in a folder: ``edsr_baseline_x<scale>.weights.h5`` with ``summary_x<scale>.json``
and ``training_log_x<scale>.csv`` (``make pretrained``'s ``build/weights-v2``), or the ``x<scale>-logs.tgz``
archives that the GPU script brings back (``weights_factory/gpu_session.sh``). Every model is evaluated *here*, on the
validation photos, with Keras on this machine's engine, so weights trained elsewhere (JAX on a GPU) are judged by
the numbers a user will get, not by the summary they came with (the two are printed side by side).

    python weights_factory/install.py build/weights-v2              # report only: the bars, met or missed by how much
    python weights_factory/install.py build/weights-v2 --install    # and copy them into the package

Realistic weights (``edsr_baseline_x4_realistic.weights.h5``, ``make pretrained-realistic``) are judged against
the bicubic-trained weights of their scale that ship, on clean and on degraded validation inputs
(``bars.json``'s ``realistic``).

``--install`` copies weights, summary and log of each scale found that meets both bars (replacing the old ones)
and rewrites MODEL_CARD.md; a scale that misses a bar is reported and left out, so the package keeps the weights
it had for that scale (``tests/test_pretrained.py`` would fail on them). A scale new to the package must then be
added to ``pretrained.WEIGHT_FILES``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import tarfile
from pathlib import Path

import edsr_helpers as eh
from edsr_helpers import data, pretrained, samples, training

ROOT = Path(__file__).resolve().parent.parent


def bars(scale: int) -> tuple[float, float]:
    """(mean gain, worst photo's gain) to reach: the model folder's ``weights/bars.json``, as the tests read it."""
    return pretrained.pass_bars(scale)


def unpack_archives(folder: Path) -> None:
    """Unpack the GPU script's ``x<scale>-logs.tgz`` next to its weights (summary, log, console)."""
    for archive in sorted(folder.glob("x*-logs.tgz")):
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")


def found_scales(folder: Path) -> list[int]:
    return [scale for scale in eh.constants.SCALES if (folder / pretrained.weight_file_name(scale)).exists()]


def verdict(scale: int, rows: list[dict]) -> dict:
    """Mean and worst gains of one scale's evaluation rows, and how far each is from its bar (> 0: met)."""
    photos = [row for row in rows if row["image"] != "mean"]
    gains = {row["image"]: row["edsr_psnr_y"] - row["bicubic_psnr_y"] for row in photos}
    mean = float(sum(gains.values()) / len(gains))
    worst = min(gains, key=gains.get)
    return {
        "scale": scale,
        "mean_gain": mean,
        "mean_margin": mean - bars(scale)[0],
        "worst_photo": worst,
        "worst_gain": gains[worst],
        "worst_margin": gains[worst] - bars(scale)[1],
        "gains": gains,
    }


def meets_the_bars(result: dict) -> bool:
    """Both bars met: the mean gain and the worst photo's (what ``--install`` requires)."""
    return result["mean_margin"] >= 0 and result["worst_margin"] >= 0 and result.get("gmsd_margin", 1.0) > 0


def report_line(result: dict, claimed: float | None) -> str:
    def margin(value: float) -> str:
        return "met" if value >= 0 else f"MISSED by {-value:.2f} dB"

    line = (
        f"x{result['scale']}: mean gain {result['mean_gain']:+.2f} dB (bar {bars(result['scale'])[0]:+.2f}: "
        f"{margin(result['mean_margin'])}); worst photo {result['worst_photo']} {result['worst_gain']:+.2f} dB "
        f"(bar {bars(result['scale'])[1]:+.2f}: {margin(result['worst_margin'])}); "
        + ", ".join(f"{name} {gain:+.2f}" for name, gain in result["gains"].items())
    )
    if claimed is not None:
        line += f"; the run's own summary said {claimed:+.2f}"
    return line


def evaluate_here(folder: Path, scale: int, split: str = "validation") -> list[dict]:
    """The weights in ``folder`` scored here on ``split``'s photos: validation judges them against the bars,
    test is only reported once they passed (so the test photos never choose)."""
    model = eh.recipes.build_model(eh.pretrained.SHIPPED_MODEL, scale)
    model.load_weights(folder / pretrained.weight_file_name(scale))
    return training.evaluate(model, data.load_sample(scale, split), scale, names=samples.photo_names(split))


def evaluate_clean_and_degraded(model, scale: int) -> dict[str, list[dict]]:
    """``model``'s evaluation rows (:func:`edsr_helpers.training.evaluate`) on the validation photos, with LR
    inputs made two ways: ``clean`` (the pairs' antialiased bicubic) and ``degraded`` by
    ``degrade_for_evaluation`` (the fixed, seeded camera-like degradation of ``edsr-upscale --evaluate --lr
    camera-like``). What realistic weights are judged by, here and in ``benchmarks/realistic_recipe_steps.py``."""
    clean = data.load_sample(scale, "validation")
    degraded = [(eh.degradations.degrade_for_evaluation(hr, scale), hr) for _, hr in clean]
    names = samples.VALIDATION_PHOTOS
    return {
        "clean": training.evaluate(model, clean, scale, names=names),
        "degraded": training.evaluate(model, degraded, scale, names=names),
    }


def judge_realistic(weights: Path, scale: int) -> dict:
    """Realistic weights against the bicubic-trained ones that ship for ``scale``, evaluated here on clean and on
    degraded validation inputs (:func:`evaluate_clean_and_degraded`); the margins to the bars (> 0: met)."""
    model = eh.recipes.build_model(eh.pretrained.SHIPPED_MODEL, scale)
    model.load_weights(weights)
    evaluated, shipped = evaluate_clean_and_degraded(model, scale), pretrained.load_pretrained(scale)
    rows = {
        "evaluation": evaluated["clean"],
        "evaluation_degraded": evaluated["degraded"],
        **evaluate_clean_and_degraded(shipped, scale),
    }
    gain = rows["evaluation_degraded"][-1]["edsr_psnr_y"] - rows["degraded"][-1]["edsr_psnr_y"]
    loss = rows["clean"][-1]["edsr_psnr_y"] - rows["evaluation"][-1]["edsr_psnr_y"]
    gmsd, shipped_gmsd = rows["evaluation_degraded"][-1]["edsr_gmsd"], rows["degraded"][-1]["edsr_gmsd"]
    least_gain, most_loss = pretrained.realistic_bars()
    return {
        "scale": scale,
        "degraded_gain": gain,
        "clean_loss": loss,
        "degraded_gmsd": gmsd,
        "shipped_degraded_gmsd": shipped_gmsd,
        "mean_margin": gain - least_gain,
        "worst_margin": most_loss - loss,
        "gmsd_margin": shipped_gmsd - gmsd - pretrained.realistic_gmsd_bar(),  # > 0: met
        "rows": rows,
    }


def realistic_report_line(result: dict) -> str:
    least_gain, most_loss = pretrained.realistic_bars()

    def margin(value: float) -> str:
        return "met" if value >= 0 else f"MISSED by {-value:.2f} dB"

    return (
        f"x{result['scale']} realistic: on degraded inputs {result['degraded_gain']:+.2f} dB over the shipped "
        f"bicubic-trained weights (bar {least_gain:+.2f}: {margin(result['mean_margin'])}); on clean inputs "
        f"{-result['clean_loss']:+.2f} dB (bar {-most_loss:+.2f}: {margin(result['worst_margin'])}); GMSD on "
        f"degraded inputs {result['degraded_gmsd']:.4f} against {result['shipped_degraded_gmsd']:.4f} (bar: lower: "
        f"{'met' if result['gmsd_margin'] > 0 else 'MISSED'})"
    )


def install_realistic(folder: Path, result: dict, weights_dir: Path) -> None:
    """Copy realistic weights and their log; the summary gets the evaluation made here."""
    scale = result["scale"]
    names = (
        pretrained.weight_file_name(scale, "realistic"),
        f"summary_x{scale}_realistic.json",
        f"training_log_x{scale}_realistic.csv",
    )
    for name in names:
        if not (folder / name).exists():
            raise SystemExit(f"{folder / name} is missing: the card needs the summary and the log")
    for name in (names[0], names[2]):
        shutil.copy(folder / name, weights_dir / name)
    summary = json.loads((folder / names[1]).read_text())
    rows = result["rows"]
    summary["evaluation"], summary["evaluation_degraded"] = rows["evaluation"], rows["evaluation_degraded"]
    summary["reference"] = {"weights": pretrained.weight_file_name(scale), "clean": rows["clean"]}
    summary["reference"]["degraded"] = rows["degraded"]
    summary["evaluated_on"] = f"{eh.backend.device_name()}, Keras on {eh.backend.name()}"
    (weights_dir / names[1]).write_text(json.dumps(summary, indent=2))


def trained_on_a_test_photo(summary: dict) -> bool:
    """Whether the run's training photos, or those of the x2 weights it started from, name a test photo: its
    score there would be a training score."""
    lines = [*summary.get("sources", []), *(summary.get("init_from") or {}).get("source_data", [])]
    words = set(re.findall(r"[a-z0-9_]+", " ".join(lines)))
    return bool(words & set(samples.TEST_PHOTOS))


def install(folder: Path, scale: int, rows: list[dict], weights_dir: Path) -> None:
    """Copy one scale's weights and log; its summary gets the evaluation made here (what users will get),
    keeping the training machine's own as ``evaluation_where_trained``, and, now that the validation photos
    have passed them, their scores on the test photos (``evaluation_test``)."""
    weights, summary_name, log = (
        pretrained.weight_file_name(scale),
        f"summary_x{scale}.json",
        f"training_log_x{scale}.csv",
    )
    for name in (weights, summary_name, log):
        if not (folder / name).exists():
            raise SystemExit(f"{folder / name} is missing: the card needs the summary and the log of every scale")
    for name in (weights, log):
        shutil.copy(folder / name, weights_dir / name)
    summary = json.loads((folder / summary_name).read_text())
    summary["evaluation_where_trained"] = summary["evaluation"]
    summary["evaluation"] = rows
    if trained_on_a_test_photo(summary):
        print(f"x{scale} learned from a test photo: its card section gets no test table")
    else:
        summary["evaluation_test"] = evaluate_here(folder, scale, "test")
    summary["evaluated_on"] = f"{eh.backend.device_name()}, Keras on {eh.backend.name()}"
    (weights_dir / summary_name).write_text(json.dumps(summary, indent=2))


def train_pretrained_module():
    spec = importlib.util.spec_from_file_location("train_pretrained", ROOT / "weights_factory" / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where a training run left its weights (and summaries or archives)")
    parser.add_argument("--install", action="store_true", help="copy them into the package and rewrite the card")
    parser.add_argument(
        "--weights-dir",
        type=Path,
        default=ROOT.joinpath(*pretrained.SHIPPED_FOLDER.package.split("."), "weights"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    unpack_archives(args.folder)
    scales = found_scales(args.folder)
    realistic = [
        scale
        for scale in eh.constants.SCALES
        if (args.folder / pretrained.weight_file_name(scale, "realistic")).exists()
    ]
    if not scales and not realistic:
        raise SystemExit(f"no edsr_baseline_x<scale>[_realistic].weights.h5 in {args.folder}")
    results = []
    for scale in scales:
        summary_path = args.folder / f"summary_x{scale}.json"
        claimed = None
        if summary_path.exists():
            mean = json.loads(summary_path.read_text())["evaluation"][-1]
            claimed = mean["edsr_psnr_y"] - mean["bicubic_psnr_y"]
        rows = evaluate_here(args.folder, scale)
        result = verdict(scale, rows)
        print(report_line(result, claimed), flush=True)
        results.append({**result, "rows": rows})
    realistic_results = []
    for scale in realistic:
        result = judge_realistic(args.folder / pretrained.weight_file_name(scale, "realistic"), scale)
        print(realistic_report_line(result), flush=True)
        realistic_results.append(result)
    if args.install:
        realistic_passed = [result for result in realistic_results if meets_the_bars(result)]
        for result in realistic_results:
            if meets_the_bars(result):
                install_realistic(args.folder, result, args.weights_dir)
                print(f"installed x{result['scale']} realistic into {args.weights_dir}")
            else:
                print(f"x{result['scale']} realistic not installed: it misses a bar")
        passed = [result for result in results if meets_the_bars(result)]
        for result in results:
            if not meets_the_bars(result):
                print(f"x{result['scale']} not installed: it misses a bar (the package keeps what it had for it)")
        if not passed:
            if realistic_passed:
                print(f"wrote {train_pretrained_module().write_model_card(args.weights_dir)}")
            else:
                print("nothing installed")
            return results + realistic_results
        for result in passed:
            install(args.folder, result["scale"], result["rows"], args.weights_dir)
        card = train_pretrained_module().write_model_card(args.weights_dir)
        installed = [result["scale"] for result in passed]
        print(f"installed x{', x'.join(map(str, installed))} into {args.weights_dir}; wrote {card}")
        missing = [scale for scale in installed if scale not in pretrained.WEIGHT_FILES]
        if missing:
            print(f"now add {missing} to pretrained.WEIGHT_FILES so load_pretrained() offers them")
    return results + realistic_results


if __name__ == "__main__":
    main()
