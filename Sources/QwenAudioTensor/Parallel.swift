import Dispatch

/// Splits work across the cores. BLAS has its own pool; these are for our kernels between BLAS calls.
public enum Parallel {
    /// Worker count for our kernels (the machine's active cores).
    public static let workers = max(1, min(ProcessInfoCores.active, 16))

    /// Runs `body` on `count` contiguous chunks of `0..<total`, in parallel when the work is large enough.
    public static func chunks(_ total: Int, minimumPerChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunkCount = max(1, min(workers, total / max(minimumPerChunk, 1)))
        if chunkCount <= 1 {
            if total > 0 { body(0..<total) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // The chunks write disjoint ranges; the caller's closure is only called inside this function.
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let start = total * chunk / chunkCount
                let end = total * (chunk + 1) / chunkCount
                if start < end { work.value(start..<end) }
            }
        }
    }
}

struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

enum ProcessInfoCores {
    static var active: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
