"""PyTorch eager reference of the decode benchmark (DESIGN.md §6): one model bundle, one thread.

    nice -n 19 taskset -c 0 /usr/bin/python3 -m training.bench_decode models/tiny-dense
        [--data data/corpus/test.tsv] [--limit 200] [--beam 4] [--batch 1] [--json]
    /usr/bin/python3 -m training.bench_decode models/tiny-kmatrix --check-golden

Loads the bundle (manifest.json + safetensors shards, fp16 or fp32; docs/bundle-format.md) back into
`training.model.DynamicConvTransformer`, float32 on the CPU in eval mode, with
torch.set_num_threads(1) / set_num_interop_threads(1) and OpenBLAS limited to one thread, and times
`search.greedy_search` (beam 1) or `search.beam_search` (beam k) over the first N sentences of a
`german<TAB>english` file — what the paper measured as its PyTorch reference.

* Tokenisation is as in training: source ids = `sp.encode(german)` + eos. It is done before the
  clock starts; the timed region is the decode loop only (encoder + incremental decoder + search,
  `time.perf_counter`, garbage collector paused), after an untimed warm-up of a few sentences.
* Batch 1 keeps file order; batch > 1 sorts the sentences by source length (stable) and cuts
  consecutive batches of at most `--batch`, like the Java engine's Translator.
* Target tokens = output tokens including eos (bos excluded).
* The K-matrix variant runs its decoder linears per level by default (`--kmatrix-form levels`:
  2·log2 n butterfly levels, the structure the Java kernel computes). `--kmatrix-form materialized`
  multiplies by the cached dense matrix the product equals instead (how training/evaluate run it;
  it then costs what the dense model costs, so it says nothing about K-matrix speed).
* The BLAS that torch really calls is found at run time (the Debian build reports only
  BLAS_INFO=generic and binds libblas.so.3, which the alternatives system points at OpenBLAS, BLIS,
  ATLAS or the netlib reference). The reference BLAS is refused unless --allow-reference-blas.
* `--json`: the one JSON object goes to stdout and the human-readable lines to stderr; without it
  the human-readable lines go to stdout.
* `--check-golden`: decode the bundle's golden sentences at batch 1 (greedy and beam
  golden["beam"]) and compare with golden.json, plus the first-step log-probs with
  golden.safetensors; exit status 1 on any difference.
"""
import os
import sys

# Before torch (and with it OpenBLAS) is loaded, when run as a script: one BLAS/OpenMP thread.
if "torch" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import ctypes  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

from . import export, safetensors_io, tokenizer  # noqa: E402
from .configs import BOS_ID, EOS_ID  # noqa: E402
from .data import pad_batch  # noqa: E402
from .search import beam_search, greedy_search  # noqa: E402

DEFAULT_DATA = "data/corpus/test.tsv"


class BlasError(RuntimeError):
    pass


# ----------------------------------------------------------------------------- bundle
def load_model(bundle_dir, kmatrix_form="levels", verify=True):
    """Bundle directory -> (float32 CPU eval model, manifest). Refuses a bundle whose format version
    is not 1 or whose files fail their size/SHA-256 check (shapes are checked by load_state_dict)."""
    manifest_path = os.path.join(bundle_dir, "manifest.json")
    if not os.path.exists(manifest_path):
        raise SystemExit(f"{bundle_dir}: no manifest.json (not a model bundle)")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("format_version") != 1:
        raise SystemExit(f"{manifest_path}: format_version {manifest.get('format_version')!r}, expected 1")
    if verify:
        problems = export.verify_bundle(bundle_dir)
        if problems:
            raise SystemExit(f"{bundle_dir}: bundle verification failed: {'; '.join(problems)}")
    model, manifest = export.load_bundle_model(bundle_dir)
    model = model.float().cpu().eval()
    if kmatrix_form not in ("levels", "materialized"):
        raise ValueError(f"kmatrix_form {kmatrix_form!r}")
    model.set_kmatrix_materialized(kmatrix_form == "materialized")
    for p in model.parameters():
        p.requires_grad_(False)
    return model, manifest


# ----------------------------------------------------------------------------- BLAS
class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def _defining_file(handle, symbol):
    """Path of the shared object that defines `symbol` as seen through dlopen handle `handle`."""
    try:
        addr = ctypes.cast(getattr(handle, symbol), ctypes.c_void_p).value
    except AttributeError:
        return None
    try:
        dladdr = ctypes.CDLL(None).dladdr  # glibc >= 2.34
    except AttributeError:
        dladdr = ctypes.CDLL("libdl.so.2").dladdr
    info = _DlInfo()
    if not dladdr(ctypes.c_void_p(addr), ctypes.byref(info)) or not info.dli_fname:
        return None
    return os.path.realpath(info.dli_fname.decode())


def _mapped_libraries():
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return []
    return sorted(paths)


def classify_blas(path):
    p = (path or "").lower()
    if "openblas" in p:
        return "OpenBLAS"
    if "mkl" in p:
        return "MKL"
    if "blis" in p:
        return "BLIS"
    if "atlas" in p:
        return "ATLAS"
    if p.endswith("/blas/libblas.so.3") or "/blas/libblas" in p or "netlib" in p:
        return "reference"
    return "unknown"


def blas_info():
    """What BLAS does torch call? Runs a matmul (so the library is bound), then resolves sgemm_
    through libblas.so.3 (what the Debian build links) and looks at the mapped libraries. Sets the
    OpenBLAS thread count to 1. Returns a dict with kind, library path, details."""
    a = torch.randn(128, 128)
    (a @ a).sum().item()
    m = re.search(r"BLAS_INFO=([^,\s]*)", torch.__config__.show())
    build_blas = f"BLAS_INFO={m.group(1)}" if m else "BLAS_INFO not reported"
    mapped = _mapped_libraries()
    blas_maps = [p for p in mapped if any(s in os.path.basename(p).lower() for s in ("blas", "blis", "mkl", "atlas"))]
    sgemm_file, config, threads = None, None, None
    try:
        if not any(os.path.basename(p).startswith("libblas.so") for p in mapped):
            raise OSError("torch did not load libblas.so.3")
        lib = ctypes.CDLL("libblas.so.3")  # already loaded by libtorch_cpu: the same handle
        sgemm_file = _defining_file(lib, "sgemm_")
        if hasattr(lib, "openblas_get_config"):
            lib.openblas_get_config.restype = ctypes.c_char_p
            config = lib.openblas_get_config().decode()
            lib.openblas_set_num_threads(1)
            threads = lib.openblas_get_num_threads()
    except OSError:
        pass
    # libtorch_cpu may also link libopenblas.so.0 directly: keep it at one thread as well
    for p in blas_maps:
        if "openblas" in p.lower():
            try:
                ob = ctypes.CDLL(p)
                ob.openblas_set_num_threads(1)
                if config is None:
                    ob.openblas_get_config.restype = ctypes.c_char_p
                    config = ob.openblas_get_config().decode()
                    threads = ob.openblas_get_num_threads()
            except (OSError, AttributeError):
                pass
    kind = classify_blas(sgemm_file) if sgemm_file else "unknown"
    if kind == "unknown" and blas_maps:
        kinds = {classify_blas(p) for p in blas_maps} - {"unknown"}
        kind = kinds.pop() if len(kinds) == 1 else "unknown"
    if kind == "unknown" and torch.backends.mkl.is_available():
        kind = "MKL"  # linked into libtorch (pip wheels)
    # a small sgemm rate as a sanity figure (reference BLAS: ~1-3 GFLOP/s, OpenBLAS: tens)
    n = 256
    x, y = torch.randn(n, n), torch.randn(n, n)
    torch.mm(x, y)
    reps, t0 = 20, time.perf_counter()
    for _ in range(reps):
        torch.mm(x, y)
    gflops = 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9
    return {"kind": kind, "sgemm_from": sgemm_file, "build": build_blas,
            "openblas_config": config, "openblas_threads": threads, "mapped": blas_maps,
            "sgemm256_gflops": round(gflops, 1)}


def blas_label(info):
    label = info["kind"]
    if info["openblas_config"]:
        label += f" ({info['openblas_config']})"
    if info["sgemm_from"]:
        label += f" [{info['sgemm_from']}]"
    return label


def set_single_thread():
    torch.set_num_threads(1)
    if torch.get_num_interop_threads() != 1:
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError as e:  # only settable before the first inter-op parallel work
            print(f"warning: could not set interop threads to 1: {e}", file=sys.stderr)


# ----------------------------------------------------------------------------- data and decoding
def read_sources(sp, path, limit):
    """(German, English) pairs of the first `limit` usable lines and their source ids (pieces + eos)."""
    if not os.path.exists(path):
        raise SystemExit(f"{path}: no such file (pass --data FILE.tsv with german<TAB>english lines)")
    pairs = tokenizer.read_pairs(path, limit)
    if not pairs:
        raise SystemExit(f"{path}: no german<TAB>english pairs")
    ids = [s + [EOS_ID] for s in sp.encode([de for de, _ in pairs])]
    return pairs, ids


def make_batches(ids, batch):
    """[(indices, padded src)] — file order at batch 1; sorted by length (stable) for batch > 1."""
    order = list(range(len(ids)))
    if batch > 1:
        order.sort(key=lambda i: len(ids[i]))
    out = []
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        out.append((idx, pad_batch([ids[i] for i in idx])))
    return out


def decode(model, src, beam, len_penalty, max_len):
    if beam == 1:
        return greedy_search(model, src, max_len)
    return beam_search(model, src, beam, len_penalty, max_len)[0]


def run_batches(model, batches, beam, len_penalty, max_len, n):
    outputs = [None] * n
    for idx, src in batches:
        for i, hyp in zip(idx, decode(model, src, beam, len_penalty, max_len)):
            outputs[i] = hyp
    return outputs


def timed_decode(model, batches, beam, len_penalty, max_len, n):
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with torch.no_grad():
            t0 = time.perf_counter()
            outputs = run_batches(model, batches, beam, len_penalty, max_len, n)
            seconds = time.perf_counter() - t0
    finally:
        if was_enabled:
            gc.enable()
    return outputs, seconds


# ----------------------------------------------------------------------------- golden check
def check_golden(model, manifest, bundle_dir, sp, log):
    """Returns a list of problems (empty = the loaded model reproduces the bundle's golden data)."""
    golden_json = os.path.join(bundle_dir, manifest.get("golden", {}).get("json", "golden.json"))
    golden_st = os.path.join(bundle_dir, manifest.get("golden", {}).get("tensors", "golden.safetensors"))
    with open(golden_json, encoding="utf-8") as f:
        golden = json.load(f)
    tensors = safetensors_io.load_file(golden_st) if os.path.exists(golden_st) else {}
    beam = golden.get("beam", 4)
    len_penalty = golden.get("len_penalty", 1.0)
    problems = []
    fp16 = manifest.get("weights", {}).get("dtype") == "float16"
    with torch.no_grad():
        for e in golden["sentences"]:
            i = e["index"]
            if sp.encode(e["source"]) + [EOS_ID] != e["src_ids"]:
                problems.append(f"sentence {i}: tokenisation differs from golden src_ids")
            src = torch.tensor([e["src_ids"]], dtype=torch.long)
            key = f"sentence{i}.step0.log_probs"
            if key in tensors:
                enc, bias = model.encode(src)
                lp, _ = model.decode_step(torch.tensor([BOS_ID]), model.init_state(enc, bias))
                diff = (lp[0] - tensors[key]).abs().max().item()
                if diff > 1e-4:
                    msg = f"sentence {i}: step-0 log-probs differ by {diff:.3g}"
                    if fp16:  # export computes golden data with the fp32 model, before rounding
                        log(f"note: {msg} (float16 bundle; golden log-probs come from the unrounded "
                            "fp32 model, so only the ids are decisive)")
                    else:
                        problems.append(msg)
            greedy = greedy_search(model, src)[0]
            beamed = beam_search(model, src, beam, len_penalty)[0][0]
            ok_g, ok_b = greedy == e["greedy_ids"], beamed == e[f"beam{beam}_ids"]
            if not ok_g:
                problems.append(f"sentence {i}: greedy {greedy} != golden {e['greedy_ids']}")
            if not ok_b:
                problems.append(f"sentence {i}: beam{beam} {beamed} != golden {e[f'beam{beam}_ids']}")
            log(f"golden sentence {i}: greedy {'ok' if ok_g else 'DIFFERS'}, beam{beam} {'ok' if ok_b else 'DIFFERS'}"
                f" ({len(e['src_ids'])} source ids, {len(greedy)} greedy ids)")
    return problems


# ----------------------------------------------------------------------------- main
def build_parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", help="model bundle directory (models/<name>/)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="german<TAB>english... file (default %(default)s)")
    ap.add_argument("--limit", type=int, default=200, help="first N sentences (default %(default)s)")
    ap.add_argument("--beam", type=int, default=4, help="1 = greedy (default %(default)s)")
    ap.add_argument("--batch", type=int, default=1, help="sentences per decode call (default %(default)s)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed warm-up sentences (default %(default)s)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="timed passes over the sentences; the median pass is reported (default %(default)s)")
    ap.add_argument("--kmatrix-form", default="levels", choices=["levels", "materialized"],
                    help="how the K-matrix variant evaluates its decoder linears (default %(default)s)")
    ap.add_argument("--max-len-a", type=float, default=None,
                    help="output length limit floor(a * source tokens) + b: a (default: the bundle's, 1.5)")
    ap.add_argument("--max-len-b", type=int, default=None, help="... and b (default: the bundle's, 10)")
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ap.add_argument("--check-golden", action="store_true",
                    help="decode the bundle's golden sentences and compare with golden.json, then exit")
    ap.add_argument("--allow-reference-blas", action="store_true", help="run even on the netlib reference BLAS")
    ap.add_argument("--no-verify", action="store_true", help="skip the SHA-256 check of the bundle files")
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.beam < 1 or args.batch < 1 or args.limit < 1 or args.repeat < 1 or args.warmup < 0:
        raise SystemExit("--beam, --batch, --limit, --repeat must be >= 1 and --warmup >= 0")
    human = sys.stderr if args.json else sys.stdout

    def log(msg):
        print(msg, file=human, flush=True)

    saved_threads = torch.get_num_threads()
    set_single_thread()
    try:
        return _run(args, log)
    finally:
        torch.set_num_threads(saved_threads)  # matters only when called in-process (tests)


def _run(args, log):
    blas = blas_info()
    log(f"torch {torch.__version__}, build {blas['build']}; BLAS in use: {blas_label(blas)}, "
        f"OpenBLAS threads {blas['openblas_threads']}, sgemm 256³ {blas['sgemm256_gflops']} GFLOP/s; "
        f"torch threads {torch.get_num_threads()}, interop {torch.get_num_interop_threads()}")
    if blas["kind"] == "reference" and not args.allow_reference_blas:
        raise BlasError(
            f"torch calls the netlib reference BLAS ({blas['sgemm_from']}): timings would be a straw man "
            "(DESIGN.md §6). Install an optimised BLAS (apt-get install libopenblas0-pthread, or select it "
            "with update-alternatives --config libblas.so.3-x86_64-linux-gnu) or pass --allow-reference-blas.")
    if blas["kind"] == "unknown":
        log(f"warning: could not identify the BLAS (mapped: {blas['mapped']})")

    model, manifest = load_model(args.bundle, args.kmatrix_form, verify=not args.no_verify)
    name, variant = manifest.get("name"), manifest.get("variant")
    form = args.kmatrix_form if variant != "dense" else None
    sp = tokenizer.load(os.path.join(args.bundle, manifest.get("tokenizer", "sentencepiece.model")))
    search = manifest.get("search", {})
    len_penalty = search.get("len_penalty", 1.0)
    # max output tokens = floor(a * source tokens) + b, eos included on both sides
    max_len = (search.get("max_len_a", 1.5) if args.max_len_a is None else args.max_len_a,
               search.get("max_len_b", 10) if args.max_len_b is None else args.max_len_b)
    if max_len[0] < 0 or max_len[1] < 1:
        raise SystemExit("--max-len-a must be >= 0 and --max-len-b >= 1")

    if args.check_golden:
        problems = check_golden(model, manifest, args.bundle, sp, log)
        result = {"model": name, "variant": variant, "kmatrix_form": form, "golden": "ok" if not problems else "FAILED",
                  "problems": problems}
        log(f"{name} ({variant}{', ' + form if form else ''}): golden {'ok' if not problems else 'FAILED'}")
        for p in problems:
            log("  " + p)
        if args.json:
            print(json.dumps(result), flush=True)
        return result

    pairs, ids = read_sources(sp, args.data, args.limit)
    n = len(ids)
    batches = make_batches(ids, args.batch)
    warm = make_batches(ids[:args.warmup], args.batch) if args.warmup else []
    with torch.no_grad():
        run_batches(model, warm, args.beam, len_penalty, max_len, len(ids[:args.warmup]))
    runs = []
    outputs = None
    for _ in range(args.repeat):
        outputs, seconds = timed_decode(model, batches, args.beam, len_penalty, max_len, n)
        runs.append(seconds)
    seconds = statistics.median(runs)
    target_tokens = sum(len(o) + 1 for o in outputs)  # + eos
    source_tokens = sum(len(s) for s in ids)
    from .bleu import corpus_bleu
    hyps = [sp.decode(o) for o in outputs]
    bleu = corpus_bleu(hyps, [en for _, en in pairs]).score
    result = {
        "model": name, "variant": variant, "kmatrix_form": form, "beam": args.beam, "batch": args.batch,
        "sentences": n, "seconds": round(seconds, 6), "sentences_per_s": round(n / seconds, 3),
        "target_tokens": target_tokens, "target_tokens_per_s": round(target_tokens / seconds, 2),
        "source_tokens": source_tokens, "bleu": round(bleu, 2), "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(), "blas": blas_label(blas),
        "blas_kind": blas["kind"], "sgemm256_gflops": blas["sgemm256_gflops"], "torch": torch.__version__,
        "data": args.data, "warmup": args.warmup, "repeat": args.repeat, "max_len": list(max_len),
        "runs_s": [round(r, 6) for r in runs],
    }
    log(f"{name} ({variant}{', ' + form if form else ''}) PyTorch eager, 1 thread: beam {args.beam}, batch {args.batch}, "
        f"{n} sentences in {seconds:.3f} s = {n / seconds:.2f} sentences/s, "
        f"{target_tokens} target tokens = {target_tokens / seconds:.1f} tokens/s, BLEU {bleu:.2f}")
    if args.json:
        print(json.dumps(result), flush=True)
    return result


def cli():
    try:
        result = main()
    except BlasError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if isinstance(result, dict) and result.get("golden") == "FAILED":
        sys.exit(1)


if __name__ == "__main__":
    cli()
