/**
 * The K-matrix kernel: single-threaded products of butterfly matrices (one BB* per stacked
 * product, DESIGN.md §2) for the decoder's linear layers.
 *
 * <p>Units and shapes: all data are float32; a layer maps rows of {@code in} features to rows of
 * {@code out} features, batch-major ({@code x[r·in + k]}). Twiddles arrive in the canonical
 * layout (stacks, 2·log2 n, n/2, 2, 2) and are converted at load time
 * ({@link io.kaleidoscope.kmatrix.KMatrixWeights}) to a unit-stride layout, then by each kernel
 * to the order it reads them in.
 *
 * <p>Threading and allocation: layers are immutable and shareable; every call takes the calling
 * thread's {@link io.kaleidoscope.kmatrix.KMatrixWorkspace} and allocates nothing. A decode runs
 * on one thread (the paper's setting); more throughput comes from more engine threads.
 *
 * <p>Entry points: {@link io.kaleidoscope.kmatrix.KMatrixShape} (geometry and validation),
 * {@link io.kaleidoscope.kmatrix.KMatrixWeights} (conversion), {@link io.kaleidoscope.kmatrix.KMatrixLayer}
 * (apply), {@link io.kaleidoscope.kmatrix.KMatrixKernels} (choice of implementation).
 */
package io.kaleidoscope.kmatrix;
