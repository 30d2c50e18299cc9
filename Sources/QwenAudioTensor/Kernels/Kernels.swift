import CBLAS
import Foundation

/// The fast kernels. Each has a plain twin in ``Reference`` and a test that compares them.
///
/// Activations are Float32, row-major, passed as pointers with their dimensions; weights are ``Tensor``s that may
/// stay bf16 (memory-mapped) until read.
public enum Kernels {
    // MARK: - Linear layers

    /// `out[m, n] = Σ_k x[m, k] · weight[n, k] + bias[n]`: a PyTorch `Linear` with weight `[N, K]`.
    ///
    /// Few rows (decoding) read the weight once, directly in its stored type, split over the cores. Many rows
    /// widen the weight to Float32 in panels of 256 rows and run SGEMM, so no Float32 copy of a whole
    /// matrix ever exists.
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, weight: Tensor, bias: Tensor? = nil,
        into out: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        precondition(weight.shape.count == 2, "linear weight must be 2-D, got \(weight.shape)")
        let n = weight.shape[0], k = weight.shape[1]
        if rows <= 4 {
            matvec(x, rows: rows, weight: weight, into: out, accumulate: accumulate)
        } else if weight.dtype == .float32 {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(k),
                1, x, Int32(k), weight.floats, Int32(k), accumulate ? 1 : 0, out, Int32(n))
        } else {
            // One SGEMM over the whole widened matrix when it is at most 64 MiB (every layer of the mid-size
            // model; 7B layers go in 256-row panels): fewer, larger calls keep OpenBLAS's threads busy.
            let panelRows = n * k <= 16 << 20 ? n : 256
            let panel = UnsafeMutablePointer<Float>.allocate(capacity: min(panelRows, n) * k)
            defer { panel.deallocate() }
            var n0 = 0
            while n0 < n {
                let p = min(panelRows, n - n0)
                Parallel.chunks(p, minimumPerChunk: 64) { range in
                    Convert.toFloat(
                        weight, elements: (n0 + range.lowerBound) * k..<(n0 + range.upperBound) * k,
                        into: panel + range.lowerBound * k)
                }
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(p), Int32(k),
                    1, x, Int32(k), panel, Int32(k), accumulate ? 1 : 0, out + n0, Int32(n))
                n0 += p
            }
        }
        if let bias { addBias(bias, to: out, rows: rows) }
    }

    /// Adds a bias vector `[N]` to every row of `out` `[rows, N]`.
    public static func addBias(_ bias: Tensor, to out: UnsafeMutablePointer<Float>, rows: Int) {
        let n = bias.count
        let b = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { b.deallocate() }
        Convert.toFloat(bias, elements: 0..<n, into: b)
        for r in 0..<rows {
            let row = out + r * n
            for j in 0..<n { row[j] += b[j] }
        }
    }

    /// `out[m, n] = Σ_k x[m, k] · weight[n, k]` for a few rows, reading each weight row once for all of them.
    static func matvec(
        _ x: UnsafePointer<Float>, rows: Int, weight: Tensor, into out: UnsafeMutablePointer<Float>,
        accumulate: Bool
    ) {
        let n = weight.shape[0], k = weight.shape[1]
        Parallel.chunks(n, minimumPerChunk: 64) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: k)
            defer { scratch.deallocate() }
            for j in range {
                let w: UnsafePointer<Float>
                if weight.dtype == .float32 {
                    w = UnsafePointer(weight.floats + j * k)
                } else if weight.dtype == .bfloat16 {
                    let source = weight.rawPointer.assumingMemoryBound(to: UInt16.self) + j * k
                    for r in 0..<rows {
                        let value = dotBFloat16(source, x + r * k, count: k)
                        out[r * n + j] = accumulate ? out[r * n + j] + value : value
                    }
                    continue
                } else {
                    Convert.toFloat(weight, elements: j * k..<(j + 1) * k, into: scratch)
                    w = UnsafePointer(scratch)
                }
                for r in 0..<rows {
                    let value = dot(w, x + r * k, count: k)
                    out[r * n + j] = accumulate ? out[r * n + j] + value : value
                }
            }
        }
    }

    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            let a0 = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let b0 = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            let a1 = UnsafeRawPointer(a + i + 8).loadUnaligned(as: SIMD8<Float>.self)
            let b1 = UnsafeRawPointer(b + i + 8).loadUnaligned(as: SIMD8<Float>.self)
            acc0 += a0 * b0
            acc1 += a1 * b1
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    @inline(__always)
    static func dotBFloat16(_ w: UnsafePointer<UInt16>, _ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            let w0 = UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<UInt16>.self)
            let w1 = UnsafeRawPointer(w + i + 8).loadUnaligned(as: SIMD8<UInt16>.self)
            let f0 = unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: w0) &<< 16, to: SIMD8<Float>.self)
            let f1 = unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: w1) &<< 16, to: SIMD8<Float>.self)
            acc0 += f0 * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            acc1 += f1 * UnsafeRawPointer(x + i + 8).loadUnaligned(as: SIMD8<Float>.self)
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += HalfPrecision.float(fromBFloat16: w[i]) * x[i]
            i += 1
        }
        return sum
    }

    static func widenBFloat16(_ source: UnsafePointer<UInt16>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let w = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<UInt16>.self)
            let f = unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: w) &<< 16, to: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: f, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            out[i] = HalfPrecision.float(fromBFloat16: source[i])
            i += 1
        }
    }

    /// `out = a · bᵀ` (`a` `[m, k]`, `b` `[n, k]`, leading dimensions given) through SGEMM.
    public static func matmulTransposed(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        m: Int, n: Int, k: Int, into out: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), 0, out, Int32(ldc))
    }

    /// `out = a · b` (`a` `[m, k]`, `b` `[k, n]`).
    public static func matmul(
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        m: Int, n: Int, k: Int, into out: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(lda), b, Int32(ldb), 0, out, Int32(ldc))
    }

    // MARK: - Normalisation

    /// LayerNorm over the last dimension with affine weight and bias (PyTorch semantics, biased variance).
    public static func layerNorm(
        _ x: UnsafePointer<Float>, rows: Int, size: Int, weight: Tensor, bias: Tensor, epsilon: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        let w = weight.toFloatArray(), b = bias.toFloatArray()
        Parallel.chunks(rows, minimumPerChunk: 16) { range in
            for r in range {
                let row = x + r * size, o = out + r * size
                var mean: Float = 0
                for j in 0..<size { mean += row[j] }
                mean /= Float(size)
                var variance: Float = 0
                for j in 0..<size {
                    let d = row[j] - mean
                    variance += d * d
                }
                variance /= Float(size)
                let inv = 1 / (variance + epsilon).squareRoot()
                for j in 0..<size { o[j] = (row[j] - mean) * inv * w[j] + b[j] }
            }
        }
    }

    /// RMSNorm: `w · x / sqrt(mean(x²) + eps)` (Qwen2).
    public static func rmsNorm(
        _ x: UnsafePointer<Float>, rows: Int, size: Int, weight: Tensor, epsilon: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        let w = weight.toFloatArray()
        for r in 0..<rows {
            let row = x + r * size, o = out + r * size
            let meanSquare = dot(row, row, count: size) / Float(size)
            let inv = 1 / (meanSquare + epsilon).squareRoot()
            for j in 0..<size { o[j] = w[j] * (row[j] * inv) }
        }
    }

    // MARK: - Activations

    /// Exact GELU, `x · Φ(x)` with the error function (PyTorch `gelu`, not the tanh approximation).
    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.chunks(count / 8, minimumPerChunk: 2048) { range in
            VectorMath.map(x + range.lowerBound * 8, count: range.count * 8) { v in
                v * 0.5 * (1 + VectorMath.erf(v * 0.70710678118654752))
            }
        }
        let tail = count - count / 8 * 8
        if tail > 0 {
            VectorMath.map(x + count - tail, count: tail) { v in v * 0.5 * (1 + VectorMath.erf(v * 0.70710678118654752)) }
        }
    }

    /// `gate ← silu(gate) · up`, the Qwen2 MLP's gating, in place.
    public static func siluMultiply(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count / 8, minimumPerChunk: 2048) { range in
            for block in range {
                let i = block * 8
                let g = UnsafeRawPointer(gate + i).loadUnaligned(as: SIMD8<Float>.self)
                let u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD8<Float>.self)
                let result = g / (1 + VectorMath.exp(-g)) * u
                UnsafeMutableRawPointer(gate + i).storeBytes(of: result, as: SIMD8<Float>.self)
            }
        }
        for i in (count / 8 * 8)..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// In-place softmax of each row (masked entries are −∞ and become exactly 0).
    public static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, size: Int) {
        Parallel.chunks(rows, minimumPerChunk: max(1, 16_384 / max(size, 1))) { range in
            for r in range {
                let row = x + r * size
                var peak = -Float.infinity
                for j in 0..<size { peak = max(peak, row[j]) }
                VectorMath.map(row, count: size) { VectorMath.exp($0 - peak) }
                var sum: Float = 0
                for j in 0..<size { sum += row[j] }
                let inverse = 1 / sum
                for j in 0..<size { row[j] *= inverse }
            }
        }
    }

    // MARK: - Positions

    /// Rotary embedding in the rotate-half layout (Qwen2/NeoX), in place, for `rows` vectors of
    /// `heads × headDim` at positions `startPosition + row`.
    public static func rope(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, headDim: Int, startPosition: Int, theta: Double
    ) {
        let half = headDim / 2
        var inverse = [Double](repeating: 0, count: half)
        for i in 0..<half { inverse[i] = 1 / pow(theta, Double(2 * i) / Double(headDim)) }
        var cosines = [Float](repeating: 0, count: half), sines = [Float](repeating: 0, count: half)
        for r in 0..<rows {
            // The reference computes position · inv_freq in Float32, then cos/sin in Float32.
            let position = Float(startPosition + r)
            for i in 0..<half {
                let angle = position * Float(inverse[i])
                cosines[i] = cos(angle)
                sines[i] = sin(angle)
            }
            for h in 0..<heads {
                let v = x + (r * heads + h) * headDim
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = a * cosines[i] - b * sines[i]
                    v[i + half] = b * cosines[i] + a * sines[i]
                }
            }
        }
    }
}
