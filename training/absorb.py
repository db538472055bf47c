"""Adds the absorbed-attention graphs (docs/bundle-format.md §11) to bundles exported before they
existed; `training.export` writes them into every new bundle. Weights are not touched: the graphs
read the bundle's own tensors.

    /usr/bin/python3 -m training.absorb --bundle models/tiny-dense --bundle models/tiny-kmatrix
"""
import argparse
import json
import os

from . import export, shortlist


def add_to_bundle(bundle_dir):
    """Exports the graphs into the bundle and updates its manifest (graph entries and checksums)."""
    model, manifest = export.load_bundle_model(bundle_dir)
    graphs = export.export_absorbed_graphs(model, bundle_dir, shortlist.weight_index(bundle_dir, manifest))
    manifest["onnx"]["graphs"].update(graphs)
    manifest["files"] = export.file_entries(bundle_dir)
    with open(os.path.join(bundle_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True, action="append", help="bundle directory (repeatable)")
    for bundle in ap.parse_args().bundle:
        manifest = add_to_bundle(bundle)
        problems = export.verify_bundle(bundle)
        added = sorted(g for g in manifest["onnx"]["graphs"] if "absorb" in g)
        print(f"{bundle}: {len(added)} absorbed-attention graphs; {'OK' if not problems else problems}")


if __name__ == "__main__":
    main()
