import CBLAS

/// The number of threads OpenBLAS uses for every GEMM in the process.
///
/// OpenBLAS keeps one process-wide pool; by default it uses every core, or `OPENBLAS_NUM_THREADS`.
public enum BLASThreads {
    public static var count: Int { Int(openblas_get_num_threads()) }

    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(count, 1)))
    }
}
