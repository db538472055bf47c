"""Re-exports every ONNX graph of a bundle from the bundle's own weights: for bundles exported
before a change to the graphs (a faster form of the same function, such as the encoder's band-matrix
convolution, or graphs added since, such as the absorbed attention of docs/bundle-format.md §11).
Weights, tokenizer, golden data and shortlist tables are not touched; the manifest's graph entries
and checksums are rewritten. `training.export` writes the current graphs into every new bundle.

    /usr/bin/python3 -m training.regraph --bundle models/tiny-dense --bundle models/tiny-kmatrix
"""
import argparse
import json
import os

from . import export, shortlist


def regraph(bundle_dir):
    """Exports the graphs into the bundle and updates its manifest; returns the manifest."""
    model, manifest = export.load_bundle_model(bundle_dir)
    index = shortlist.weight_index(bundle_dir, manifest)
    graphs = export.export_onnx(model, bundle_dir, index)
    old = manifest["onnx"]["graphs"]
    if manifest.get("shortlist"):
        graphs[shortlist.OUTPUT_GRAPH] = old[shortlist.OUTPUT_GRAPH]   # no weights, no model code
        if manifest["variant"] == "dense":
            graphs[shortlist.DENSE_HIDDEN_GRAPH] = export.export_dense_hidden_step(model, bundle_dir, index)
            export.add_int8_variants(bundle_dir, graphs)
    stale = set(old) - set(graphs)
    if stale:
        raise ValueError(f"{bundle_dir}: graphs {sorted(stale)} are not produced by this export")
    # the manifest keeps its order, graphs new to the bundle last
    manifest["onnx"]["graphs"] = {**{name: graphs[name] for name in old}, **graphs}
    manifest["onnx"]["step_attention"] = export.STEP_ATTENTION
    manifest["files"] = export.file_entries(bundle_dir)
    with open(os.path.join(bundle_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True, action="append", help="bundle directory (repeatable)")
    for bundle in ap.parse_args().bundle:
        manifest = regraph(bundle)
        problems = export.verify_bundle(bundle)
        print(f"{bundle}: {len(manifest['onnx']['graphs'])} graphs; {'OK' if not problems else problems}")


if __name__ == "__main__":
    main()
