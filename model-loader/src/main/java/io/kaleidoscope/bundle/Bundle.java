package io.kaleidoscope.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A verified model bundle (docs/bundle-format.md): its manifest and its weights, loaded once.
 *
 * <p>{@link #open} refuses, with a {@link BundleException} naming the file and the problem: a
 * directory that is missing or unreadable, a manifest that is not valid JSON or has another
 * format version, a listed file that is missing, of another size or another SHA-256 (a flipped
 * byte, a truncated shard), a file the manifest relies on but does not list, and a weight whose
 * shape differs from the index; and every structural defect that a matching checksum cannot
 * catch, listed in docs/bundle-format.md ("What the loader checks"). Nothing of a refused bundle
 * is used, and no defect is left for the first translation to find.
 */
public final class Bundle {
    private final Path directory;
    private final Manifest manifest;
    private final WeightStore weights;

    private Bundle(Path directory, Manifest manifest, WeightStore weights) {
        this.directory = directory;
        this.manifest = manifest;
        this.weights = weights;
    }

    public static Bundle open(Path directory) {
        if (!Files.isDirectory(directory) || !Files.isReadable(directory)) {
            throw new BundleException(directory, ".", "not a readable directory");
        }
        Manifest manifest = ManifestReader.read(directory);
        checkManifest(directory, manifest);
        verifyFiles(directory, manifest);
        WeightStore weights = WeightStore.load(directory, manifest);
        // After the load, which has held each shard's shapes to the index: a shape the manifest
        // and its shard disagree on is reported as that, not as a disagreement with the architecture.
        ShapeCheck.check(directory, manifest);
        TokenizerCheck.check(directory, manifest);
        return new Bundle(directory, manifest, weights);
    }

    /**
     * Everything the manifest says that can be checked before a file is read: each section
     * present and complete, settings in range, the weight index, graphs and K-matrix layers
     * consistent with each other and with the architecture (docs/bundle-format.md, "What the
     * loader checks"). The architecture against the weights' shapes ({@link ShapeCheck}) and the
     * tokenizer ({@link TokenizerCheck}) follow once the files are verified.
     */
    private static void checkManifest(Path directory, Manifest manifest) {
        if (manifest.architecture() == null || manifest.specialTokens() == null || manifest.onnx() == null
                || manifest.files() == null || manifest.tokenizer() == null) {
            throw new BundleException(directory, "manifest.json", "lacks architecture, special_tokens, onnx, tokenizer or files");
        }
        checkFileList(directory, manifest.files());
        SettingsCheck.check(directory, manifest);
        WeightIndexCheck.check(directory, manifest);
        GraphIndexCheck.check(directory, manifest);
        KMatrixLayerCheck.check(directory, manifest);
    }

    /** Every entry of {@code files} complete and listed once (two entries could say two things). */
    private static void checkFileList(Path directory, List<Manifest.FileEntry> files) {
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            Manifest.FileEntry entry = files.get(i);
            String field = "files[" + i + "]";
            if (entry == null) {
                throw new BundleException(directory, "manifest.json", field + " is null");
            }
            if (entry.path() == null || entry.path().isEmpty()) {
                throw new BundleException(directory, "manifest.json", field + ".path is missing");
            }
            if (entry.sha256() == null) {
                throw new BundleException(directory, "manifest.json", field + " '" + entry.path() + "': sha256 is missing");
            }
            if (entry.size() < 0) {
                throw new BundleException(directory, "manifest.json", field + " '" + entry.path() + "': size " + entry.size() + " is negative");
            }
            if (!paths.add(entry.path())) {
                throw new BundleException(directory, "manifest.json", field + " '" + entry.path() + "' is listed twice");
            }
        }
    }

    /** Size and SHA-256 of every listed file; and every file the manifest uses must be listed. */
    private static void verifyFiles(Path directory, Manifest manifest) {
        Set<String> listed = new HashSet<>();
        for (Manifest.FileEntry entry : manifest.files()) {
            listed.add(entry.path());
            Path file = directory.resolve(entry.path()).normalize();
            if (!file.startsWith(directory.normalize())) {
                throw new BundleException(directory, entry.path(), "lies outside the bundle directory");
            }
            if (!Files.isRegularFile(file)) {
                throw new BundleException(directory, entry.path(), "missing");
            }
            try {
                long size = Files.size(file);
                if (size != entry.size()) {
                    throw new BundleException(directory, entry.path(), "size %d bytes, the manifest says %d (truncated or replaced?)"
                            .formatted(size, entry.size()));
                }
                String sha = sha256(file);
                if (!sha.equalsIgnoreCase(entry.sha256())) {
                    throw new BundleException(directory, entry.path(), "SHA-256 %s, the manifest says %s (corrupted?)"
                            .formatted(sha, entry.sha256()));
                }
            } catch (IOException e) {
                throw new BundleException(directory, entry.path(), "cannot read: " + e.getMessage(), e);
            }
        }
        Set<String> used = new HashSet<>();
        used.add(manifest.tokenizer());
        if (manifest.weights() != null && manifest.weights().shards() != null) {
            used.addAll(manifest.weights().shards());
        }
        manifest.onnx().graphs().values().forEach(g -> used.add(g.file()));
        if (manifest.shortlist() != null) {
            used.add(manifest.shortlist().tensors());
        }
        for (String file : used) {
            if (!listed.contains(file)) {
                throw new BundleException(directory, file, "used by the manifest but not in its checksummed file list");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public Path directory() {
        return directory;
    }

    public Manifest manifest() {
        return manifest;
    }

    public WeightStore weights() {
        return weights;
    }

    /** A file of the bundle by its manifest path. */
    public Path file(String path) {
        return directory.resolve(path);
    }

    /** Whether the manifest lists an ONNX graph of that name (for optional graphs). */
    public boolean hasGraph(String name) {
        return manifest.onnx().graphs().containsKey(name);
    }

    /** The ONNX graph entry of that name, or an exception naming the bundle. */
    public Manifest.GraphEntry graph(String name) {
        Manifest.GraphEntry entry = manifest.onnx().graphs().get(name);
        if (entry == null) {
            throw new BundleException(directory, "manifest.json", "no ONNX graph named '" + name + "'");
        }
        return entry;
    }
}
