import Foundation

/// Plain, obviously correct versions of the kernels, in Float64 accumulation where it costs nothing to read.
/// Tests compare the fast kernels with these.
public enum Reference {
    public static func linear(_ x: [Float], rows: Int, weight: Tensor, bias: Tensor?) -> [Float] {
        let n = weight.shape[0], k = weight.shape[1]
        let w = weight.toFloatArray()
        let b = bias?.toFloatArray()
        var out = [Float](repeating: 0, count: rows * n)
        for r in 0..<rows {
            for j in 0..<n {
                var sum = 0.0
                for i in 0..<k { sum += Double(x[r * k + i]) * Double(w[j * k + i]) }
                out[r * n + j] = Float(sum) + (b?[j] ?? 0)
            }
        }
        return out
    }

    public static func attention(
        q: [Float], queries: Int, k: [Float], v: [Float], keys: Int, heads: Int, kvHeads: Int, headDim: Int,
        scale: Float, mask: Kernels.AttentionMask
    ) -> [Float] {
        var out = [Float](repeating: 0, count: queries * heads * headDim)
        for h in 0..<heads {
            let kvHead = h / (heads / kvHeads)
            for i in 0..<queries {
                var scores = [Double](repeating: -.infinity, count: keys)
                for j in 0..<keys {
                    if j >= mask.validKeys { continue }
                    if let offset = mask.causalOffset, j > offset + i { continue }
                    var s = 0.0
                    for d in 0..<headDim {
                        s += Double(q[(i * heads + h) * headDim + d]) * Double(k[(j * kvHeads + kvHead) * headDim + d])
                    }
                    scores[j] = s * Double(scale)
                }
                let peak = scores.max() ?? 0
                guard peak > -.infinity else { continue }
                let weights = scores.map { exp($0 - peak) }
                let total = weights.reduce(0, +)
                for d in 0..<headDim {
                    var acc = 0.0
                    for j in 0..<keys where weights[j] > 0 {
                        acc += weights[j] / total * Double(v[(j * kvHeads + kvHead) * headDim + d])
                    }
                    out[(i * heads + h) * headDim + d] = Float(acc)
                }
            }
        }
        return out
    }

    public static func conv1d(
        _ x: [Float], inputFrames: Int, inChannels: Int, weight: Tensor, bias: Tensor, stride: Int, outputFrames: Int
    ) -> [Float] {
        let outChannels = weight.shape[0]
        let w = weight.toFloatArray(), b = bias.toFloatArray()
        var out = [Float](repeating: 0, count: outputFrames * outChannels)
        for t in 0..<outputFrames {
            for o in 0..<outChannels {
                var sum = Double(b[o])
                for c in 0..<inChannels {
                    for j in 0..<3 {
                        let source = stride * t + j - 1
                        if source >= 0 && source < inputFrames {
                            sum += Double(x[source * inChannels + c]) * Double(w[(o * inChannels + c) * 3 + j])
                        }
                    }
                }
                out[t * outChannels + o] = Float(sum)
            }
        }
        return out
    }

    public static func layerNorm(_ x: [Float], rows: Int, size: Int, weight: Tensor, bias: Tensor, epsilon: Float) -> [Float] {
        let w = weight.toFloatArray(), b = bias.toFloatArray()
        var out = x
        for r in 0..<rows {
            let row = x[(r * size)..<((r + 1) * size)].map(Double.init)
            let mean = row.reduce(0, +) / Double(size)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(size)
            for j in 0..<size {
                out[r * size + j] = Float((row[j] - mean) / (variance + Double(epsilon)).squareRoot()) * w[j] + b[j]
            }
        }
        return out
    }

    public static func rmsNorm(_ x: [Float], rows: Int, size: Int, weight: Tensor, epsilon: Float) -> [Float] {
        let w = weight.toFloatArray()
        var out = x
        for r in 0..<rows {
            let row = x[(r * size)..<((r + 1) * size)].map(Double.init)
            let meanSquare = row.map { $0 * $0 }.reduce(0, +) / Double(size)
            for j in 0..<size { out[r * size + j] = w[j] * Float(row[j] / (meanSquare + Double(epsilon)).squareRoot()) }
        }
        return out
    }

    /// Rotary embedding applied the way the formula reads: `x·cos + rotate_half(x)·sin`.
    public static func rope(_ x: [Float], rows: Int, heads: Int, headDim: Int, startPosition: Int, theta: Double) -> [Float] {
        var out = x
        let half = headDim / 2
        for r in 0..<rows {
            for h in 0..<heads {
                let base = (r * heads + h) * headDim
                for i in 0..<headDim {
                    let frequency = 1 / pow(theta, Double(2 * (i % half)) / Double(headDim))
                    let angle = Double(startPosition + r) * frequency
                    let rotated = i < half ? -Double(x[base + i + half]) : Double(x[base + i - half])
                    out[base + i] = Float(Double(x[base + i]) * cos(angle) + rotated * sin(angle))
                }
            }
        }
        return out
    }

    public static func gelu(_ x: [Float]) -> [Float] {
        x.map { Float(0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot()))) }
    }
}
