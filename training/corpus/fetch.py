"""Download Debian packages and read the few files the extractors need, streaming.

A package is fetched with `apt-get download` into a scratch folder, its data archive is read as a
stream (`dpkg-deb --fsys-tarfile`, the same archive `dpkg-deb -x` would unpack) and only members
whose path a selector accepts are kept, in memory. The .deb is deleted as soon as it has been
read, so the scratch disk never holds more than the few packages in flight: the largest packages
(game data) are hundreds of MB and the whole fetch is about 12 GB. Nothing is ever installed.

Downloads run in batches, a few batches ahead of the reader (network-bound), while reading stays
in the caller's order so the build is deterministic.
"""

import concurrent.futures
import glob
import os
import subprocess
import tarfile

# Members larger than this are not text catalogs or help pages; skipping them bounds memory.
MAX_MEMBER_BYTES = 256 * 1024 * 1024


def download_batch(batch_id, batch, scratch):
    """Download a batch of packages into one folder.

    Returns (folder, {package: .deb path}, {package: error message}).

    One `apt-get download` call per batch: each call spends about a second of CPU loading apt's
    package cache, which would dominate the build if paid once per package. If the batch call
    fails (one bad name fails the whole call), each package is retried on its own so the error
    lands on the right package.
    """
    folder = os.path.join(scratch, "batch-%05d" % batch_id)
    os.makedirs(folder, exist_ok=True)
    result = subprocess.run(["apt-get", "download", "-q"] + list(batch), cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errors = {}
    if result.returncode != 0:
        for package in batch:
            single = subprocess.run(["apt-get", "download", "-q", package], cwd=folder,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if single.returncode != 0:
                errors[package] = "%s: apt-get download failed: %s" % (
                    package, single.stderr.strip()[-300:])
    debs = {}
    for path in glob.glob(os.path.join(folder, "*.deb")):
        debs[os.path.basename(path).split("_", 1)[0]] = path
    for package in batch:
        if package not in debs and package not in errors:
            errors[package] = "%s: no .deb after download" % package
    return folder, debs, errors


def read_members(deb_path, wanted):
    """Return {path: bytes} for regular files in the package whose path `wanted(path)` accepts.

    Paths are given without the leading './', e.g. 'usr/share/locale/de/LC_MESSAGES/x.mo'.
    Symbolic links are followed inside the package when their target was also wanted.
    """
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb_path],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    files, links = {}, {}
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for member in archive:
                path = member.name[2:] if member.name.startswith("./") else member.name
                if not wanted(path):
                    continue
                if member.isfile() and member.size <= MAX_MEMBER_BYTES:
                    files[path] = archive.extractfile(member).read()
                elif member.issym():
                    links[path] = os.path.normpath(
                        os.path.join(os.path.dirname(path), member.linkname)).lstrip("/")
    finally:
        proc.stdout.close()
        proc.wait()
    for path, target in links.items():
        if target in files:
            files[path] = files[target]
    return files


def remove_folder(folder):
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))
    os.rmdir(folder)


def package_version(deb_path):
    """Version from the .deb file name (package_version_arch.deb), with the epoch's ':' escaped."""
    return os.path.basename(deb_path).split("_")[1].replace("%3a", ":")


def fetch_all(packages, wanted, scratch, batch_size=10, ahead=2):
    """Yield (package, version, files, error) in the order given, `files` as from `read_members`.

    Downloads run in batches of `batch_size`, up to `ahead` batches in front of the reader. A
    package that cannot be downloaded is yielded with an error message and no files, so the
    caller can record it and go on.
    """
    os.makedirs(scratch, exist_ok=True)
    queue = list(packages)
    batches = [queue[i:i + batch_size] for i in range(0, len(queue), batch_size)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=ahead) as pool:
        futures = {}
        for index in range(min(ahead + 1, len(batches))):
            futures[index] = pool.submit(download_batch, index, batches[index], scratch)
        for index, batch in enumerate(batches):
            folder, debs, errors = futures.pop(index).result()
            following = index + ahead + 1
            if following < len(batches):
                futures[following] = pool.submit(download_batch, following, batches[following],
                                                  scratch)
            try:
                for package in batch:
                    if package in errors:
                        yield package, None, {}, errors[package]
                        continue
                    deb = debs[package]
                    try:
                        files = read_members(deb, wanted)
                    finally:
                        os.remove(deb)  # free the scratch disk before the next package
                    yield package, package_version(deb), files, None
            finally:
                remove_folder(folder)
