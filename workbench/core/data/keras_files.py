"""The Keras dataset cache: which files each ``keras:`` dataset needs, where they are, reading
them safely, and importing a user's copy into our own cache.

Keras keeps its downloads in ``$KERAS_HOME/datasets`` (``~/.keras/datasets``); we look there
first, then in our own cache (:func:`workbench.core.paths.dataset_cache_dir`). Checksums are
the ones Keras' own loaders pass to ``get_file``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.core import paths
from workbench.core.data.idx import read_idx
from workbench.core.data.ragged import Ragged
from workbench.core.data.raw import RawArrays, RawText
from workbench.core.data.safe_npz import RefusedPickle, npz_members, read_npz, restricted_loads
from workbench.core.errors import DataError
from workbench.core.storage import atomic_write_bytes

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


@dataclass(frozen=True)
class KerasFile:
    """One file of a Keras dataset, by its path below ``datasets/``."""

    relpath: str
    required: bool = True
    sha256: str | None = None
    md5: str | None = None
    url: str | None = None

    @property
    def name(self) -> str:
        return Path(self.relpath).name


_FASHION = "fashion-mnist"
CIFAR_DIRS = ("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py")
CIFAR_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
# keras.datasets.reuters.get_label_names(), copied so listing does not import Keras.
REUTERS_LABELS = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                   "Bag", "Ankle boot"]

FILES: dict[str, tuple[KerasFile, ...]] = {
    "imdb": (
        KerasFile("imdb.npz", sha256="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
                  url=BASE_URL + "imdb.npz"),
        KerasFile("imdb_word_index.json", required=False, md5="bfafd718b763782e994055a2d397834f",
                  url=BASE_URL + "imdb_word_index.json"),
    ),
    "reuters": (
        KerasFile("reuters.npz", sha256="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
                  url=BASE_URL + "reuters.npz"),
        KerasFile("reuters_word_index.json", required=False, md5="4d44cc38712099c9e383dc6e5f11a921",
                  url=BASE_URL + "reuters_word_index.json"),
    ),
    "mnist": (
        KerasFile("mnist.npz", sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                  url=BASE_URL + "mnist.npz"),
    ),
    # Keras' fashion_mnist loader passes no checksum; structure is checked instead.
    "fashion_mnist": tuple(
        KerasFile(f"{_FASHION}/{name}", url=BASE_URL + name)
        for name in ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                     "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
    ),
    "cifar10": tuple(KerasFile(f"{CIFAR_DIRS[1]}/{name}") for name in CIFAR_FILES),
    "boston_housing": (
        KerasFile("boston_housing.npz",
                  sha256="f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
                  url=BASE_URL + "boston_housing.npz"),
    ),
}
CIFAR_ARCHIVE = KerasFile("cifar-10-python.tar.gz",
                          sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                          url=CIFAR_URL)


def search_roots() -> list[tuple[Path, str]]:
    """Folders searched for dataset files, with the status a file found there gives."""
    return [(paths.keras_home() / "datasets", "ready"), (paths.dataset_cache_dir(), "imported")]


def locate(relpath: str) -> tuple[Path, str] | None:
    """Where a dataset file is (Keras cache first), and "ready"/"imported"; None if nowhere."""
    candidates = [relpath]
    if relpath.startswith(CIFAR_DIRS[1] + "/"):
        # Keras 3 extracts into "cifar-10-batches-py-target/", older Keras into the folder itself.
        candidates.insert(0, f"{CIFAR_DIRS[0]}/{relpath.split('/', 1)[1]}")
    for root, status in search_roots():
        for candidate in candidates:
            path = root / candidate
            if path.is_file():
                return path, status
    return None


def missing_files(name: str) -> list[KerasFile]:
    """Required files of a Keras dataset that are in neither cache."""
    return [f for f in FILES[name] if f.required and locate(f.relpath) is None]


# Datasets whose last download failed for lack of a network, with the message (this session only).
OFFLINE: dict[str, str] = {}


def dataset_status(name: str) -> tuple[str, str]:
    """``(status, detail)`` for the catalog, from file presence only (no file is read)."""
    missing = missing_files(name)
    if missing and name in OFFLINE:
        return "offline", OFFLINE[name]
    if missing:
        names = CIFAR_ARCHIVE.name if name == "cifar10" else ", ".join(f.name for f in missing)
        detail = (f"not in the Keras cache ({paths.keras_home() / 'datasets'}); Download it, or if you "
                  f"are offline use Import to point at {names}.")
        return "needs download", detail
    problem = _quick_check(name)
    if problem:
        return "error", problem
    where = {locate(f.relpath)[1] for f in FILES[name] if f.required}
    status = "ready" if where == {"ready"} else "imported"
    optional = [f for f in FILES[name] if not f.required and locate(f.relpath) is None]
    detail = "in the Keras cache" if status == "ready" else "imported into the workbench cache"
    if optional:
        detail += f"; {optional[0].name} is missing, so samples show word numbers instead of words"
    return status, detail


_NPZ_KEYS = {"imdb.npz": ("x_train", "y_train", "x_test", "y_test"), "mnist.npz": ("x_train", "y_train", "x_test", "y_test"),
             "reuters.npz": ("x", "y"), "boston_housing.npz": ("x", "y")}


def _quick_check(name: str) -> str | None:
    """A cheap look at the files (zip directory, gzip magic) so the catalog can say "error"."""
    for spec in FILES[name]:
        found = locate(spec.relpath)
        if found is None:
            continue
        path = found[0]
        try:
            if spec.name in _NPZ_KEYS:
                members = set(npz_members(path))
                missing = [k for k in _NPZ_KEYS[spec.name] if k not in members]
                if missing:
                    return f"{path}: missing the array(s) {', '.join(missing)}; import a good copy."
            elif spec.name.endswith(".gz"):
                with gzip.open(path, "rb") as handle:
                    if handle.read(4)[:2] != b"\0\0":
                        return f"{path}: wrong magic number; this is not an IDX file."
        except (DataError, OSError, EOFError) as exc:
            return f"{path}: {exc}" if str(path) not in str(exc) else str(exc)
    return None


def _need(name: str, relpath: str) -> Path:
    found = locate(relpath)
    if found is None:
        raise DataError(
            f"keras:{name}: {Path(relpath).name} is not in the Keras cache ({paths.keras_home() / 'datasets'}) "
            "and cannot be downloaded offline; use Import in the Data panel to point at your copy.")
    return found[0]


# --------------------------------------------------------------------------- readers


def read_word_index(path: str | Path) -> dict[str, int]:
    """A Keras ``*_word_index.json``: word -> rank (1 = most frequent)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: is not a JSON word index ({exc}).") from None
    if not isinstance(raw, dict) or not raw or not all(
            isinstance(k, str) and type(v) is int and v >= 1 for k, v in raw.items()):
        raise DataError(f"{path}: a word index must be a JSON object mapping words to ranks >= 1.")
    return raw


def words_by_rank(word_index: dict[str, int]) -> list[str]:
    """``result[rank] = word`` ("" where no word has that rank; rank 0 never used)."""
    top = max(word_index.values())
    words = [""] * (top + 1)
    for word, rank in word_index.items():
        words[rank] = word
    return words


def _labels(array: np.ndarray, path: Path, key: str) -> np.ndarray:
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise DataError(f"{path}: {key} must be a 1-D array of integer labels, got {array.dtype} {array.shape}.")
    return array.astype(np.int32)


def load_sequences(name: str) -> RawText:
    """``keras:imdb`` / ``keras:reuters`` as word ranks, like ``keras.datasets.*.load_data``."""
    npz = _need(name, f"{name}.npz")
    notes: list[str] = []
    if name == "imdb":
        data = read_npz(npz, required=("x_train", "y_train", "x_test", "y_test"))
        train, test = data["x_train"], data["x_test"]
        y_train, y_test = data["y_train"], data["y_test"]
        class_names = ["negative", "positive"]
    else:
        data = read_npz(npz, required=("x", "y"))
        xs, ys = data["x"], data["y"]
        if not isinstance(xs, Ragged):
            raise DataError(f"{npz}: x must hold integer lists (one per newswire).")
        ys = _labels(ys, npz, "y")
        # Same shuffle and 80/20 split as keras.datasets.reuters.load_data(seed=113).
        order = np.random.RandomState(113).permutation(len(xs))
        cut = int(len(xs) * 0.8)
        train, test = xs.select(order[:cut]), xs.select(order[cut:])
        y_train, y_test = ys[order[:cut]], ys[order[cut:]]
    for key, seqs in (("x_train", train), ("x_test", test)):
        if not isinstance(seqs, Ragged):
            raise DataError(f"{npz}: {key} must hold integer lists (one per review), got a numeric array.")
        if len(seqs.flat) and seqs.flat.min() < 0:
            raise DataError(f"{npz}: {key} holds negative word ranks; the file is damaged.")
    y_train = _labels(np.asarray(y_train), npz, "y_train")
    y_test = _labels(np.asarray(y_test), npz, "y_test")
    if len(y_train) != len(train) or len(y_test) != len(test):
        raise DataError(f"{npz}: the number of labels does not match the number of sequences.")
    dictionary = None
    wi = locate(f"{name}_word_index.json")
    if wi is not None:
        dictionary = words_by_rank(read_word_index(wi[0]))
    else:
        notes.append(f"{name}_word_index.json not found: samples show word numbers, and typed text "
                     "cannot be encoded; import the word index to fix that.")
    if name == "reuters":
        class_names = list(REUTERS_LABELS)
    return RawText(train=train, y_train=y_train, test=test, y_test=y_test, class_names=class_names,
                   dictionary=dictionary, id_mode="rank", word_index_name=name, notes=notes)


def _plain_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in keys if k not in data.files]
            if missing:
                raise DataError(f"{path}: missing the array(s) {', '.join(missing)}; found "
                                f"{', '.join(data.files) or 'none'}. Is this the right file?")
            return {k: data[k] for k in keys}
    except DataError:
        raise
    except ValueError as exc:
        raise DataError(f"{path}: holds something other than plain numeric arrays ({exc}); refused.") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(f"{path}: is not a readable .npz file ({exc}); the file may be damaged.") from None


def _check_images(x: np.ndarray, y: np.ndarray, path: Path, what: str, shape: tuple[int, ...]) -> None:
    if x.dtype != np.uint8 or x.shape[1:] != shape:
        raise DataError(f"{path}: {what} images must be uint8 of shape (N, {', '.join(map(str, shape))}), "
                        f"got {x.dtype} {x.shape}.")
    if y.shape[0] != x.shape[0]:
        raise DataError(f"{path}: {len(x)} {what} images but {len(y)} labels.")


def read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One ``cifar-10-batches-py`` pickle (a dict of bytes/arrays), through the array-only unpickler."""
    try:
        with open(path, "rb") as handle:
            raw = restricted_loads(io.BytesIO(handle.read()), encoding="bytes")
    except RefusedPickle as exc:
        raise DataError(f"{path}: asks to run {exc} while loading; refused. A CIFAR batch only holds "
                        "arrays and lists; this file may be malicious.") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc}).") from None
    except Exception as exc:  # noqa: BLE001 - a broken pickle is a bad file, never a crash
        raise DataError(f"{path}: is not a CIFAR batch ({type(exc).__name__}: {exc}).") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: is not a CIFAR batch (expected a dict).")
    data, labels = raw.get(b"data", raw.get("data")), raw.get(b"labels", raw.get("labels"))
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise DataError(f"{path}: 'data' must be a uint8 array of N x 3072 pixels.")
    if not isinstance(labels, list) or not all(type(v) is int and 0 <= v < 10 for v in labels) \
            or len(labels) != len(data):
        raise DataError(f"{path}: 'labels' must be one class number 0-9 per image.")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.asarray(labels, dtype=np.int32)


def load_arrays(name: str) -> RawArrays:
    """``keras:mnist|fashion_mnist|cifar10|boston_housing`` as arrays (pickle never enabled)."""
    if name == "mnist":
        path = _need(name, "mnist.npz")
        d = _plain_npz(path, ("x_train", "y_train", "x_test", "y_test"))
        _check_images(d["x_train"], d["y_train"], path, "training", (28, 28))
        _check_images(d["x_test"], d["y_test"], path, "test", (28, 28))
        return RawArrays(d["x_train"], _labels(d["y_train"], path, "y_train"), d["x_test"],
                         _labels(d["y_test"], path, "y_test"), [str(i) for i in range(10)])
    if name == "fashion_mnist":
        files = [_need(name, f.relpath) for f in FILES[name]]
        y_train, x_train, y_test, x_test = (read_idx(p) for p in files)
        _check_images(x_train, y_train, files[1], "training", (28, 28))
        _check_images(x_test, y_test, files[3], "test", (28, 28))
        return RawArrays(x_train, y_train.astype(np.int32), x_test, y_test.astype(np.int32),
                         list(FASHION_CLASSES))
    if name == "cifar10":
        batches = [read_cifar_batch(_need(name, f.relpath)) for f in FILES[name]]
        x_train = np.concatenate([b[0] for b in batches[:5]])
        y_train = np.concatenate([b[1] for b in batches[:5]])
        return RawArrays(x_train, y_train, batches[5][0], batches[5][1], list(CIFAR_CLASSES))
    if name == "boston_housing":
        path = _need(name, "boston_housing.npz")
        d = _plain_npz(path, ("x", "y"))
        x, y = d["x"].astype(np.float32), d["y"].astype(np.float32)
        if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
            raise DataError(f"{path}: x must be N x features and y one price per row.")
        # Same shuffle and 80/20 split as keras.datasets.boston_housing.load_data(seed=113).
        order = np.random.RandomState(113).permutation(len(x))
        cut = int(len(x) * 0.8)
        names = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B",
                 "LSTAT"][: x.shape[1]]
        return RawArrays(x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]], [],
                         feature_names=names)
    raise DataError(f"keras:{name} is not an array dataset.")


# --------------------------------------------------------------------------- import


def file_digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify_checksum(path: Path, spec: KerasFile) -> None:
    for algorithm, expected in (("sha256", spec.sha256), ("md5", spec.md5)):
        if expected:
            actual = file_digest(path, algorithm)
            if actual != expected:
                raise DataError(
                    f"{path}: its {algorithm} checksum ({actual[:12]}…) differs from the one Keras publishes "
                    f"for {spec.name} ({expected[:12]}…); the file is damaged, incomplete or a different "
                    "file. Nothing was imported.")
            return


def _check_structure(path: Path, dataset: str, spec: KerasFile) -> None:
    """Read the file as the loader would, so a bad file is refused before it is copied."""
    name = spec.name
    if name in ("imdb.npz",):
        read_npz(path, required=("x_train", "y_train", "x_test", "y_test"))
    elif name == "reuters.npz":
        read_npz(path, required=("x", "y"))
    elif name == "mnist.npz":
        _plain_npz(path, ("x_train", "y_train", "x_test", "y_test"))
    elif name == "boston_housing.npz":
        _plain_npz(path, ("x", "y"))
    elif name.endswith("_word_index.json"):
        read_word_index(path)
    elif name.endswith(".gz"):
        array = read_idx(path)
        if ("idx3" in name) != (array.ndim == 3):
            raise DataError(f"{path}: holds an array of shape {array.shape}, which does not fit its name.")


def _find_spec(filename: str) -> tuple[str, KerasFile] | None:
    for dataset, files in FILES.items():
        for spec in files:
            if spec.name == filename and dataset != "cifar10":
                return dataset, spec
    return None


def accepted_import_names() -> list[str]:
    names = [spec.name for ds, files in FILES.items() if ds != "cifar10" for spec in files]
    return names + [CIFAR_ARCHIVE.name]


def _import_cifar_archive(path: Path) -> None:
    _verify_checksum(path, CIFAR_ARCHIVE)
    target = paths.dataset_cache_dir() / CIFAR_DIRS[1]
    try:
        with tarfile.open(path, "r:gz") as archive:
            for name in CIFAR_FILES:
                member = archive.getmember(f"cifar-10-batches-py/{name}")
                if not member.isfile():
                    raise DataError(f"{path}: {member.name} is not a regular file.")
                data = archive.extractfile(member).read()
                batch = target / name
                atomic_write_bytes(batch, data)
                read_cifar_batch(batch)
    except KeyError as exc:
        raise DataError(f"{path}: the archive lacks {exc}; is it cifar-10-python.tar.gz?") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(f"{path}: is not a readable .tar.gz archive ({exc}).") from None


def import_file(path: str | Path) -> str:
    """Check a user's dataset file and copy it into our cache; returns the dataset name."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    if path.name == CIFAR_ARCHIVE.name:
        _import_cifar_archive(path)
        return "cifar10"
    found = _find_spec(path.name)
    if found is None:
        raise DataError(f"{path}: not a Keras dataset file this workbench knows; expected one of "
                        f"{', '.join(accepted_import_names())} (keep the original file name).")
    dataset, spec = found
    _verify_checksum(path, spec)
    _check_structure(path, dataset, spec)
    target = paths.dataset_cache_dir() / spec.relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.importing")
    try:
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(f"{path}: could not be copied into {target.parent} ({exc.strerror}); "
                        "free some disk space or check that folder's permissions.") from None
    return dataset


# --------------------------------------------------------------------------- download


def _fetch(url: str, target: Path, progress, should_stop) -> None:
    """Stream ``url`` into ``target`` in chunks, reporting progress; cancellable between chunks."""
    import http.client
    import urllib.error
    import urllib.request

    try:
        response = urllib.request.urlopen(url, timeout=20)
    except urllib.error.HTTPError as exc:
        # The server answered, so this is not "offline": the file may have moved.
        raise DataError(f"download of {Path(url).name} failed: {url.split('/')[2]} answered {exc.code} "
                        f"({exc.reason}). Try again later, or download it elsewhere and use Import.") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(f"offline: cannot reach {url.split('/')[2]} ({reason}). Download {Path(url).name} "
                        "on another machine and use Import to add it.") from None
    total = int(response.headers.get("Content-Length") or 0)
    done = 0
    try:
        with response, open(target, "wb") as out:
            while True:
                if should_stop is not None and should_stop():
                    raise DataError(f"download of {Path(url).name} was cancelled.")
                chunk = response.read(1 << 18)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done / total if total else 0.0, f"{Path(url).name}: {done / 1e6:.1f} MB")
    except (OSError, http.client.HTTPException) as exc:  # IncompleteRead: the connection dropped
        raise DataError(f"download of {Path(url).name} failed ({exc}); try again or use Import.") from None


def download_dataset(name: str, progress=None, should_stop=None) -> str:
    """Download a Keras dataset's missing files into our cache, checked like an import."""
    if name not in FILES:
        raise DataError(f"unknown Keras dataset {name!r}.")
    specs = [CIFAR_ARCHIVE] if name == "cifar10" else [f for f in FILES[name] if locate(f.relpath) is None]
    staging = paths.dataset_cache_dir() / ".downloads"
    staging.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        partial = staging / spec.name
        try:
            _fetch(spec.url, partial, progress, should_stop)
            import_file(partial)
        except DataError as exc:
            if str(exc).startswith("offline:"):
                OFFLINE[name] = str(exc)
            raise
        finally:
            partial.unlink(missing_ok=True)
    OFFLINE.pop(name, None)
    return name
