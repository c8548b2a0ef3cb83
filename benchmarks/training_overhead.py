"""Per-epoch time of training in the window (live curves + batch progress) vs plain ``model.fit``.

The ``imdb-dense`` template on a synthetic ``keras:imdb`` (25,000 IMDB-like reviews, multi-hot over
10,000 words, 20% validation, batch 512) is trained in one process, alternately:

- baseline: plain ``model.fit`` on the same model (``build_model``), the same prepared data
  (``x_for_fit`` batches), batch size and validation data;
- window: the real main window, offscreen, Train tab up, the Train panel's ``start_training`` — the
  ``TrainingWorker`` thread runs the ``Trainer`` while the GUI thread draws curves and progress;
- headless (once): the same ``Trainer`` with no window, to tell GUI cost from Trainer cost
  (run record, checkpoint of the best epoch, history.csv).

An epoch's time is the interval between consecutive epoch ends, stamped on the training thread
(so the first epoch, which traces the graph, is left out); medians over all rounds are compared.
The order flips each round (plain, window; window, plain; …) so neither always runs first.
Process CPU seconds per epoch (all threads, GUI included) are reported beside wall time: they are
steadier when other processes share the machine. Goal: window wall time ≤ 1.05× the baseline.
"""

from __future__ import annotations

import common

GOAL_RATIO = 1.05


def main() -> None:
    args = common.parse_args(__doc__.splitlines()[0])
    common.require("training_overhead", "workbench.gui.train.worker", "workbench.core.training.trainer",
                   "workbench.core.data.prepare", "workbench.core.design.build")
    reviews = common.pick(args, smoke=1_000, default=25_000, full=25_000)
    epochs = common.pick(args, smoke=2, default=4, full=6)
    rounds = common.pick(args, smoke=1, default=3, full=4)
    with common.temp_dir("overhead") as home:
        import guitrain

        guitrain.setup(home, reviews)
        document = guitrain.make_document(epochs)
        prepared = guitrain.prepare(document)
        window = guitrain.WindowRun(home / "runs")
        plain_runs: list[dict] = []
        window_runs: list[dict] = []
        drawn: list[dict] = []
        order: list[str] = []
        for i in range(rounds):
            # ABBA: the order flips each round, so warm-up or a drift in machine load favours neither.
            pair = ("plain", "window") if i % 2 == 0 else ("window", "plain")
            order.append("/".join(pair))
            for which in pair:
                if which == "plain":
                    plain_runs.append(guitrain.train_plain(document, prepared))
                else:
                    run = window.train(document)
                    window_runs.append({"wall": run["wall"], "cpu": run["cpu"]})
                    drawn.append(run)
        headless = None if args.mode == "smoke" else guitrain.train_headless(document, home / "headless-runs")
        window.close()
    plain = guitrain.median_epoch(plain_runs)
    in_window = guitrain.median_epoch(window_runs)
    head = guitrain.median_epoch([headless]) if headless else None
    r = common.ratio(in_window, plain)
    cpu_plain = guitrain.median_epoch(plain_runs, "cpu")
    cpu_window = guitrain.median_epoch(window_runs, "cpu")
    cpu_head = guitrain.median_epoch([headless], "cpu") if headless else None
    cpu_ratio = common.ratio(cpu_window, cpu_plain)
    notes = [(f"imdb-dense on {reviews:,} synthetic reviews (20% validation), batch {guitrain.BATCH}, "
             f"{epochs} epochs × {rounds} rounds, order alternating each round (ABBA: {', '.join(order)}); "
             "first epoch of each run excluded"),
             f"CPU seconds per epoch (all threads): window {cpu_window:.3f} vs plain {cpu_plain:.3f} "
             f"= {cpu_ratio:.3f}×" + (f"; headless {cpu_head:.3f}" if cpu_head else ""),
             f"headless Trainer (no window): {head:.3f} s/epoch = {common.ratio(head, plain):.3f}× plain"
             if head else "smoke: headless Trainer skipped",
             (f"the panel drew {sum(d['batch_events'] for d in drawn)} batch events and "
             f"{sum(d['epoch_events'] for d in drawn)} epoch events "
             f"({drawn[-1]['batch_points']} batch points on the loss plot in the last run)")]
    if window.guard_note:
        notes.append(window.guard_note)
    if args.mode == "smoke":
        notes.append("smoke: 1,000 reviews, 2 epochs, one round")
    common.emit(
        "training_overhead", args,
        target="training overhead in the window (live plots + batch progress)",
        goal=f"per-epoch time ≤ {GOAL_RATIO}× plain model.fit (same model, data, batch size)",
        measured={"window_epoch_s": in_window, "headless_epoch_s": head, "window_epoch_cpu_s": cpu_window,
                  "headless_epoch_cpu_s": cpu_head, "cpu_ratio": cpu_ratio, "window_runs": window_runs,
                  "headless_run": headless, "trainer_epoch_seconds": [d["epoch_seconds"] for d in drawn]},
        baseline={"plain_fit_epoch_s": plain, "plain_fit_epoch_cpu_s": cpu_plain, "plain_runs": plain_runs},
        measured_text=f"{in_window:.3f} s/epoch in the window (CPU {cpu_ratio:.2f}×)",
        baseline_text=f"{plain:.3f} s/epoch plain `fit`",
        ratio=r,
        checks=[common.check("ratio", r, GOAL_RATIO, unit="×")],
        notes=notes,
    )


if __name__ == "__main__":
    main()
