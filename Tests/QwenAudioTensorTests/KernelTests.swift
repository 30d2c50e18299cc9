import Foundation
import Testing

@testable import QwenAudioTensor

/// A small seeded generator, so failures reproduce.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomFloats(_ count: Int, _ rng: inout SeededRandom, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
}

/// A weight tensor in the given storage type, holding `values` rounded to that type.
func weight(_ values: [Float], shape: [Int], dtype: DType) -> Tensor {
    switch dtype {
    case .bfloat16:
        let tensor = Tensor.zeros(shape, dtype: .bfloat16)
        let out = tensor.rawPointer.assumingMemoryBound(to: UInt16.self)
        for (i, v) in values.enumerated() { out[i] = HalfPrecision.bfloat16(from: v) }
        return tensor
    default:
        return Tensor(values, shape: shape)
    }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite("Kernels against their reference twins")
struct KernelTests {
    @Test(
        "linear: matvec and panelled SGEMM paths, f32 and bf16 weights",
        arguments: [(1, 7, 5), (3, 64, 33), (5, 300, 70), (40, 513, 257), (1, 1000, 96)], [DType.float32, .bfloat16])
    func linear(shape: (Int, Int, Int), dtype: DType) {
        let (rows, n, k) = shape
        var rng = SeededRandom(seed: UInt64(rows * 1000 + n))
        let x = randomFloats(rows * k, &rng)
        let w = weight(randomFloats(n * k, &rng, scale: 0.2), shape: [n, k], dtype: dtype)
        let b = Tensor(randomFloats(n, &rng), shape: [n])
        var out = [Float](repeating: 0, count: rows * n)
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { Kernels.linear(x.baseAddress!, rows: rows, weight: w, bias: b, into: $0.baseAddress!) }
        }
        let expected = Reference.linear(x, rows: rows, weight: w, bias: b)
        #expect(maxAbsDifference(out, expected) < 1e-4)
    }

    @Test(
        "attention: bidirectional with padding, causal with an offset, grouped KV heads",
        arguments: [(5, 5, 4, 4, 8, 5, nil), (9, 9, 4, 2, 16, 7, nil), (6, 11, 6, 2, 8, 11, 5), (1, 12, 4, 1, 16, 12, 11)])
    func attention(c: (Int, Int, Int, Int, Int, Int, Int?)) {
        let (queries, keys, heads, kvHeads, headDim, validKeys, causal) = c
        var rng = SeededRandom(seed: UInt64(queries * 31 + keys))
        let q = randomFloats(queries * heads * headDim, &rng)
        let k = randomFloats(keys * kvHeads * headDim, &rng)
        let v = randomFloats(keys * kvHeads * headDim, &rng)
        let mask = Kernels.AttentionMask(validKeys: validKeys, causalOffset: causal)
        let scale = 1 / Float(headDim).squareRoot()
        var out = [Float](repeating: 0, count: queries * heads * headDim)
        q.withUnsafeBufferPointer { q in
            k.withUnsafeBufferPointer { k in
                v.withUnsafeBufferPointer { v in
                    out.withUnsafeMutableBufferPointer {
                        Kernels.attention(
                            q: q.baseAddress!, queries: queries, k: k.baseAddress!, v: v.baseAddress!, keys: keys,
                            heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale, mask: mask,
                            into: $0.baseAddress!)
                    }
                }
            }
        }
        let expected = Reference.attention(
            q: q, queries: queries, k: k, v: v, keys: keys, heads: heads, kvHeads: kvHeads, headDim: headDim,
            scale: scale, mask: mask)
        #expect(maxAbsDifference(out, expected) < 1e-5)
    }

    @Test("conv1d with stride 1 and 2, bf16 weights", arguments: [1, 2])
    func conv1d(stride: Int) {
        var rng = SeededRandom(seed: UInt64(stride))
        let frames = 23, inChannels = 5, outChannels = 7
        let outputFrames = (frames - 1) / stride + 1
        let x = randomFloats(frames * inChannels, &rng)
        let w = weight(randomFloats(outChannels * inChannels * 3, &rng), shape: [outChannels, inChannels, 3], dtype: .bfloat16)
        let b = Tensor(randomFloats(outChannels, &rng), shape: [outChannels])
        var out = [Float](repeating: 0, count: outputFrames * outChannels)
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer {
                Kernels.conv1d(
                    x.baseAddress!, inputFrames: frames, inChannels: inChannels, weight: w, bias: b, stride: stride,
                    outputFrames: outputFrames, into: $0.baseAddress!)
            }
        }
        let expected = Reference.conv1d(
            x, inputFrames: frames, inChannels: inChannels, weight: w, bias: b, stride: stride, outputFrames: outputFrames)
        #expect(maxAbsDifference(out, expected) < 1e-5)
    }

    @Test("layer norm, RMS norm, GELU, RoPE")
    func elementwise() {
        var rng = SeededRandom(seed: 42)
        let rows = 6, size = 48
        let x = randomFloats(rows * size, &rng, scale: 3)
        let w = Tensor(randomFloats(size, &rng), shape: [size])
        let b = Tensor(randomFloats(size, &rng), shape: [size])
        var out = [Float](repeating: 0, count: rows * size)
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer {
                Kernels.layerNorm(x.baseAddress!, rows: rows, size: size, weight: w, bias: b, epsilon: 1e-5, into: $0.baseAddress!)
            }
        }
        #expect(maxAbsDifference(out, Reference.layerNorm(x, rows: rows, size: size, weight: w, bias: b, epsilon: 1e-5)) < 1e-5)
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer {
                Kernels.rmsNorm(x.baseAddress!, rows: rows, size: size, weight: w, epsilon: 1e-6, into: $0.baseAddress!)
            }
        }
        #expect(maxAbsDifference(out, Reference.rmsNorm(x, rows: rows, size: size, weight: w, epsilon: 1e-6)) < 1e-5)

        var g = x
        g.withUnsafeMutableBufferPointer { Kernels.gelu($0.baseAddress!, count: $0.count) }
        #expect(maxAbsDifference(g, Reference.gelu(x)) < 1e-6)

        var r = x
        r.withUnsafeMutableBufferPointer {
            Kernels.rope($0.baseAddress!, rows: 3, heads: 2, headDim: 8, startPosition: 700, theta: 10_000)
        }
        let expected = Reference.rope(x, rows: 3, heads: 2, headDim: 8, startPosition: 700, theta: 10_000)
        #expect(maxAbsDifference(Array(r[0..<48]), Array(expected[0..<48])) < 2e-4)
    }

    @Test("bfloat16 conversion rounds to nearest even and widens exactly")
    func bfloat16() {
        #expect(HalfPrecision.bfloat16(from: 1) == 0x3F80)
        #expect(HalfPrecision.float(fromBFloat16: 0x3F80) == 1)
        // 1 + 2^-8 is halfway between two bf16 values: ties go to the even one (1.0).
        #expect(HalfPrecision.bfloat16(from: 1 + 1 / 256) == 0x3F80)
        #expect(HalfPrecision.bfloat16(from: 1 + 3 / 256) == 0x3F82)
        #expect(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: -2.5)) == -2.5)
    }
}

@Suite("Vector math against libm")
struct VectorMathTests {
    @Test("exp and erf over their working ranges")
    func accuracy() {
        var worstExp: Double = 0, worstErf: Double = 0
        var x: Float = -90
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0137 })
            let e = VectorMath.exp(lanes), f = VectorMath.erf(lanes / 10)
            for j in 0..<8 {
                let reference = Foundation.exp(Double(lanes[j]))
                if lanes[j] >= -87 { worstExp = max(worstExp, abs(Double(e[j]) - reference) / reference) }
                worstErf = max(worstErf, abs(Double(f[j]) - Foundation.erf(Double(lanes[j] / 10))))
            }
            x += 0.11
        }
        #expect(worstExp < 3e-7, "exp relative error \(worstExp)")
        #expect(worstErf < 5e-7, "erf absolute error \(worstErf)")
        #expect(VectorMath.exp(SIMD8(repeating: -.infinity)) == SIMD8(repeating: 0))
    }

    @Test("softmax rows sum to one and masked entries are exactly zero")
    func softmax() {
        var row: [Float] = [1, 2, -.infinity, 3, 0.5, -.infinity, 2, 1, 0]
        row.withUnsafeMutableBufferPointer { Kernels.softmax($0.baseAddress!, rows: 1, size: $0.count) }
        #expect(abs(row.reduce(0, +) - 1) < 1e-6)
        #expect(row[2] == 0 && row[5] == 0)
        let expected = [1, 2, 3, 0.5, 2, 1, 0].map { Foundation.exp(Double($0) - 3) }
        let total = expected.reduce(0, +)
        #expect(abs(Double(row[3]) - expected[2] / total) < 1e-6)
    }
}
