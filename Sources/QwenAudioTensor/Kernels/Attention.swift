import Foundation

extension Kernels {
    /// Which keys each query may see.
    public struct AttentionMask: Sendable {
        /// Keys at or past this index are masked for every query (padding of a shorter clip).
        public var validKeys: Int
        /// When set, query `i` sits at key position `causalOffset + i` and sees no later key.
        public var causalOffset: Int?

        public init(validKeys: Int, causalOffset: Int? = nil) {
            self.validKeys = validKeys
            self.causalOffset = causalOffset
        }
    }

    /// Multi-head attention for one sequence, with grouped KV heads: query head `h` reads KV head
    /// `h / (heads / kvHeads)`.
    ///
    /// `q` is `[queries, heads, headDim]`; `k`, `v` are `[keys, kvHeads, headDim]`; `out` is
    /// `[queries, heads, headDim]`. Scores are `scale · q·k`, softmax in Float32, masked keys get exactly zero.
    public static func attention(
        q: UnsafePointer<Float>, queries: Int, k: UnsafePointer<Float>, v: UnsafePointer<Float>, keys: Int,
        heads: Int, kvHeads: Int, headDim: Int, scale: Float, mask: AttentionMask,
        into out: UnsafeMutablePointer<Float>
    ) {
        precondition(heads % kvHeads == 0, "\(heads) heads cannot share \(kvHeads) KV heads")
        let group = heads / kvHeads
        let visible = min(keys, mask.validKeys)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(queries * visible, 1))
        defer { scores.deallocate() }
        for h in 0..<heads {
            let kvHead = h / group
            if visible == 0 {
                for i in 0..<queries { (out + i * heads * headDim + h * headDim).update(repeating: 0, count: headDim) }
                continue
            }
            // [queries, visible] = scale · q_h · k_hᵀ
            matmulTransposed(
                q + h * headDim, lda: heads * headDim, k + kvHead * headDim, ldb: kvHeads * headDim,
                m: queries, n: visible, k: headDim, into: scores, ldc: visible, alpha: scale)
            if let offset = mask.causalOffset {
                for i in 0..<queries {
                    let last = offset + i
                    if last + 1 < visible {
                        (scores + i * visible + last + 1).update(repeating: -.infinity, count: visible - last - 1)
                    }
                }
            }
            softmax(scores, rows: queries, size: visible)
            // [queries, headDim] = p · v_h, written into the head's slice of each output row.
            matmul(
                scores, lda: visible, v + kvHead * headDim, ldb: kvHeads * headDim,
                m: queries, n: headDim, k: visible, into: out + h * headDim, ldc: heads * headDim)
        }
    }

    // MARK: - Convolution and pooling

    /// A 1-D convolution with kernel 3 and zero padding 1 (Whisper's stem), time-major:
    /// `x` `[inputFrames, inChannels]` → `out` `[outputFrames, outChannels]`, output frame t reading input
    /// frames `stride·t − 1 … stride·t + 1`. `weight` is PyTorch's `[out, in, 3]`.
    public static func conv1d(
        _ x: UnsafePointer<Float>, inputFrames: Int, inChannels: Int, weight: Tensor, bias: Tensor, stride: Int,
        outputFrames: Int, into out: UnsafeMutablePointer<Float>
    ) {
        precondition(weight.shape.count == 3 && weight.shape[1] == inChannels && weight.shape[2] == 3)
        let outChannels = weight.shape[0]
        let width = inChannels * 3
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: outputFrames * width)
        defer { columns.deallocate() }
        // im2col: columns[t, c·3 + j] = x[stride·t + j − 1, c], matching the weight's [out, in, k] layout.
        Parallel.chunks(outputFrames, minimumPerChunk: 64) { range in
            for t in range {
                let row = columns + t * width
                for j in 0..<3 {
                    let source = stride * t + j - 1
                    if source < 0 || source >= inputFrames {
                        for c in 0..<inChannels { row[c * 3 + j] = 0 }
                    } else {
                        let input = x + source * inChannels
                        for c in 0..<inChannels { row[c * 3 + j] = input[c] }
                    }
                }
            }
        }
        linear(columns, rows: outputFrames, weight: weight.reshaped([outChannels, width]), bias: bias, into: out)
    }

    /// Average pooling over time with kernel 2, stride 2: `[frames, size]` → `[frames / 2, size]`.
    public static func averagePool2(_ x: UnsafePointer<Float>, frames: Int, size: Int, into out: UnsafeMutablePointer<Float>) {
        for t in 0..<(frames / 2) {
            let a = x + 2 * t * size, b = a + size, o = out + t * size
            for j in 0..<size { o[j] = (a[j] + b[j]) / 2 }
        }
    }
}
