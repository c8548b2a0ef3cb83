#!/usr/bin/env bash
# Frozen smoke test, run before every release (not in CI: it takes minutes).
#
#   packaging/check.sh            build with packaging/build.py, then check the bundle
#   packaging/check.sh --no-build check the bundle already in dist/
#
# Checks, all inside the bundle, offscreen, with user folders in a temp dir:
#   1. `KerasWorkbench selftest --screenshots DIR --json`: ok, window shown before TensorFlow
#      is imported; over KWB_WINDOW_RUNS starts (default 3) the median time to window is within
#      KWB_MAX_WINDOW_S seconds (default 3);
#   2. `KerasWorkbench new circles-mlp` + `train --epochs 2` on synthetic:circles finishes, and a
#      2-trial `sweep` finishes with its trials trained in a child process of the bundle;
#   3. started with an unwritable home, the selftest still passes (temp-folder fallback).
# Figures land in $KWB_CHECK_DIR/figures.json and a Markdown block for benchmarks/RESULTS.md in
# $KWB_CHECK_DIR/results.md. Exit status: 0 when every check passed.
set -uo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
OUT=${KWB_CHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kwb-check.XXXXXX")}
MAX_WINDOW_S=${KWB_MAX_WINDOW_S:-3}
WINDOW_RUNS=${KWB_WINDOW_RUNS:-3}
EXE=dist/KerasWorkbench/KerasWorkbench
mkdir -p "$OUT"
failures=0

say() { printf '[check] %s\n' "$*"; }
fail() { printf '[check] FAIL: %s\n' "$*"; failures=$((failures + 1)); }

build_s=""
if [[ "${1:-}" != "--no-build" ]]; then
    say "building (log: $OUT/build.log)"
    started=$(date +%s.%N)
    if ! "$PYTHON" packaging/build.py >"$OUT/build.log" 2>&1; then
        tail -30 "$OUT/build.log"
        fail "packaging/build.py failed"
        exit 1
    fi
    build_s=$("$PYTHON" -c "print(round($(date +%s.%N) - $started, 1))")
    say "built in ${build_s} s"
fi
[[ -x "$EXE" ]] || { fail "$EXE is missing; build first"; exit 1; }

# The bundle must not need, nor touch, the user's real folders.
home="$OUT/home"
mkdir -p "$home"
export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" XDG_CONFIG_HOME="$home/config"
export KERAS_HOME="$home/keras" QT_QPA_PLATFORM=offscreen
unset WORKBENCH_DATA_DIR WORKBENCH_CACHE_DIR PYTHONPATH PYTHONHOME

# Read the last JSON line of a file and check it with a Python expression over `r`.
json_check() {  # FILE EXPRESSION DESCRIPTION
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if l.startswith("{")]
if not lines:
    sys.exit("no JSON line")
r = json.loads(lines[-1])
sys.exit(0 if eval(sys.argv[2], {}, {"r": r}) else f"not true: {sys.argv[2]} for {r}")
EOF
}

say "selftest (screenshots in $OUT/shots)"
"$EXE" --version >"$OUT/version.txt" 2>&1 || fail "--version"
if "$EXE" selftest --screenshots "$OUT/shots" --json >"$OUT/selftest.json" 2>"$OUT/selftest.err"; then
    json_check "$OUT/selftest.json" 'r["ok"] is True' || fail "selftest ok"
    json_check "$OUT/selftest.json" 'r["tensorflow_imported_before_window"] is False' \
        || fail "TensorFlow was imported before the window appeared"
    json_check "$OUT/selftest.json" 'r["backend"] == "tensorflow" and len(r["screenshots"]) >= 4' \
        || fail "Keras backend or screenshots"
else
    tail -20 "$OUT/selftest.err"
    fail "selftest exited with $?"
fi

# Time to window: the median of WINDOW_RUNS starts (the first one above included), because a
# single start on a busy 2-core machine varies by a second or more.
say "time to window over ${WINDOW_RUNS} starts"
for i in $(seq 2 "$WINDOW_RUNS"); do
    "$EXE" selftest --json >"$OUT/selftest-$i.json" 2>>"$OUT/selftest.err" || fail "selftest run $i exited non-zero"
    json_check "$OUT/selftest-$i.json" 'r["ok"] is True and r["tensorflow_imported_before_window"] is False' \
        || fail "selftest run $i: not ok, or TensorFlow imported before the window appeared"
done
window_s=$("$PYTHON" - "$OUT" "$WINDOW_RUNS" <<'EOF'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
names = ["selftest.json"] + [f"selftest-{i}.json" for i in range(2, runs + 1)]
times = []
for name in names:
    try:
        lines = [l for l in open(f"{out}/{name}", encoding="utf-8") if l.startswith("{")]
        times.append(json.loads(lines[-1])["window_shown_s"])
    except (OSError, IndexError, KeyError, ValueError):
        pass
json.dump({"window_shown_s": times}, open(f"{out}/window-times.json", "w"))
print(statistics.median(times) if times else "nan")
EOF
)
say "median time to window: ${window_s} s"
"$PYTHON" -c "import sys; sys.exit(0 if float('$window_s') <= $MAX_WINDOW_S else 1)" \
    || fail "window not shown within ${MAX_WINDOW_S} s (median ${window_s} s)"

say "training synthetic:circles for 2 epochs inside the bundle"
train_s=""
if "$EXE" new circles-mlp -o "$OUT/circles.kwb.json" --force 2>"$OUT/new.err"; then
    started=$(date +%s.%N)
    "$EXE" train "$OUT/circles.kwb.json" --epochs 2 --runs "$OUT/runs" --json >"$OUT/train.jsonl" 2>"$OUT/train.err"
    status=$?
    train_s=$("$PYTHON" -c "print(round($(date +%s.%N) - $started, 1))")
    if [[ $status -eq 3 ]]; then
        fail "the train command is not available in this build ($(tail -1 "$OUT/train.err"))"
    elif [[ $status -ne 0 ]]; then
        tail -20 "$OUT/train.err"
        fail "train exited with $status"
    else
        json_check "$OUT/train.jsonl" 'r.get("event") == "result" and r.get("status") == "finished"' \
            || fail "training did not finish"
        [[ $(grep -c '"event": "epoch"' "$OUT/train.jsonl") -eq 2 ]] || fail "expected 2 epoch lines"
    fi
    say "sweeping 2 trials inside the bundle (trials train in a child process of the bundle)"
    if "$EXE" sweep "$OUT/circles.kwb.json" --grid "hidden_units=4,8" --epochs 1 --runs "$OUT/sweep-runs" --json \
        >"$OUT/sweep.jsonl" 2>"$OUT/sweep.err"; then
        [[ $(grep -c '"status": "finished"' "$OUT/sweep.jsonl") -ge 2 ]] || fail "the sweep's trials did not finish"
        grep -q "before its first trial" "$OUT/sweep.err" "$OUT/sweep.jsonl" \
            && fail "the trial process could not start in the bundle (fell back to one process)"
    else
        tail -20 "$OUT/sweep.err"
        fail "sweep exited with an error"
    fi
else
    cat "$OUT/new.err"
    fail "new circles-mlp"
fi

say "selftest with an unwritable home (must fall back to a temp folder)"
blocker="$OUT/home-is-a-file"
: >"$blocker"
if HOME="$blocker" XDG_DATA_HOME="$blocker/data" XDG_CACHE_HOME="$blocker/cache" XDG_CONFIG_HOME="$blocker/config" \
    "$EXE" selftest --json >"$OUT/selftest-unwritable.json" 2>"$OUT/selftest-unwritable.err"; then
    json_check "$OUT/selftest-unwritable.json" 'r["ok"] is True' || fail "selftest with an unwritable home"
else
    tail -20 "$OUT/selftest-unwritable.err"
    fail "selftest with an unwritable home exited non-zero"
fi

# Figures for benchmarks/RESULTS.md.
"$PYTHON" - "$OUT" "$build_s" "$train_s" <<'EOF'
import json, os, platform, subprocess, sys, datetime
out, build_s, train_s = sys.argv[1], sys.argv[2], sys.argv[3]
def last_json(name):
    try:
        lines = [l for l in open(os.path.join(out, name), encoding="utf-8") if l.startswith("{")]
        return json.loads(lines[-1]) if lines else {}
    except OSError:
        return {}
info = json.load(open("dist/build-info.json")) if os.path.exists("dist/build-info.json") else {}
try:
    window_times = json.load(open(os.path.join(out, "window-times.json")))["window_shown_s"]
except (OSError, ValueError, KeyError):
    window_times = []
load = open("/proc/loadavg").read().split()[0]
selftest, unwritable = last_json("selftest.json"), last_json("selftest-unwritable.json")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0) / 2**20
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
figures = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": commit, "nproc": os.cpu_count(), "memory_gib": round(mem, 1), "cpu": cpu,
    "build_s": float(build_s) if build_s else info.get("total_s"),
    "pyinstaller_s": info.get("pyinstaller_s"), "archive_s": info.get("archive_s"),
    "folder_mb": round(info.get("folder_bytes", 0) / 1e6), "archive_mb": round(info.get("archive_bytes", 0) / 1e6),
    "archive": os.path.basename(info.get("archive", "")),
    "window_shown_s": sorted(window_times)[len(window_times) // 2] if window_times else None,
    "window_shown_runs_s": window_times, "load_average_1min": float(load),
    "keras_ready_s": selftest.get("keras_ready_s"),
    "window_shown_unwritable_home_s": unwritable.get("window_shown_s"),
    "train_2_epochs_s": float(train_s) if train_s else None,
}
json.dump(figures, open(os.path.join(out, "figures.json"), "w"), indent=2)
f = figures
md = f"""Machine: {f['nproc']} cores, {f['memory_gib']} GiB, {f['cpu']}; {f['date']}; commit {f['commit']}; 1-min load average at the end {f['load_average_1min']}.

| what | figure |
|---|---|
| build (`python packaging/build.py`, venv reused) | {f['build_s']} s (PyInstaller {f['pyinstaller_s']} s, archive {f['archive_s']} s) |
| folder `dist/KerasWorkbench/` | {f['folder_mb']} MB (limit 1000 MB) |
| archive `{f['archive']}` | {f['archive_mb']} MB (limit 450 MB) |
| frozen time to window (`selftest`, from process start), median of {len(f['window_shown_runs_s'])} | {f['window_shown_s']} s (limit 3 s; runs: {', '.join(map(str, f['window_shown_runs_s']))}) |
| frozen time until Keras is ready (first start) | {f['keras_ready_s']} s |
| frozen time to window, unwritable home | {f['window_shown_unwritable_home_s']} s |
| frozen `train` circles-mlp, 2 epochs, whole process | {f['train_2_epochs_s']} s |
"""
open(os.path.join(out, "results.md"), "w").write(md)
print(md)
EOF

if [[ $failures -eq 0 ]]; then
    say "all checks passed (details in $OUT)"
else
    say "$failures check(s) failed (details in $OUT)"
fi
exit $((failures > 0))
