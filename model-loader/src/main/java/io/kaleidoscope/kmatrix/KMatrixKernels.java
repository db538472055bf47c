package io.kaleidoscope.kmatrix;

import java.lang.System.Logger.Level;

/**
 * Picks the K-matrix kernel once per JVM and logs the choice.
 *
 * <p>The vector kernel is used when the {@code jdk.incubator.vector} module is present (the JVM
 * was started with {@code --add-modules jdk.incubator.vector}); otherwise the scalar kernel. The
 * system property {@code kaleido.kernel} = {@code vector} or {@code scalar} forces one; asking
 * for the vector kernel without the module fails with a message that says which flag is missing.
 */
public final class KMatrixKernels {
    private static final System.Logger LOG = System.getLogger(KMatrixKernels.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private KMatrixKernels() {}

    private static final class Preferred {
        static final KMatrixKernel KERNEL = choose();
    }

    /** The kernel this JVM uses; chosen and logged on first use. */
    public static KMatrixKernel preferred() {
        return Preferred.KERNEL;
    }

    /** Whether the Vector API module is loaded in this JVM. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The scalar reference kernel. */
    public static KMatrixKernel scalar() {
        return new ScalarKMatrixKernel();
    }

    /**
     * The Vector API kernel.
     *
     * @throws IllegalStateException if the JVM runs without {@code --add-modules jdk.incubator.vector}
     */
    public static KMatrixKernel vector() {
        if (!vectorApiAvailable()) {
            throw new IllegalStateException("the vector K-matrix kernel needs the JVM flag --add-modules " + VECTOR_MODULE);
        }
        // Loaded by name so that a JVM without the module never resolves Vector API classes.
        try {
            return (KMatrixKernel) Class.forName("io.kaleidoscope.kmatrix.VectorKMatrixKernel")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the vector K-matrix kernel", e);
        }
    }

    private static KMatrixKernel choose() {
        String forced = System.getProperty("kaleido.kernel", "").trim();
        KMatrixKernel kernel = switch (forced) {
            case "scalar" -> scalar();
            case "vector" -> vector();
            case "" -> vectorApiAvailable() ? vector() : scalar();
            default -> throw new IllegalArgumentException(
                    "kaleido.kernel must be 'vector' or 'scalar', got '" + forced + "'");
        };
        LOG.log(Level.INFO, "K-matrix kernel: {0}{1}", kernel.description(),
                forced.isEmpty() ? "" : " (forced by -Dkaleido.kernel=" + forced + ")");
        return kernel;
    }
}
