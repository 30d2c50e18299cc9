public import Foundation
public import QwenAudioTensor

/// The deterministic weights of the parity fixtures: the same counter-based generator as
/// `Tools/qwen2audio_fixture.py`, so a test rebuilds, byte for byte, the checkpoint the Python reference ran
/// (the repository carries the reference outputs, never the weights).
public enum FixtureWeights {
    public static let defaultSeed = "qwen-audio-fixture-v1"

    /// FNV-1a, 64-bit.
    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes, start: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64
    where Bytes.Element == UInt8 {
        var h = start
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// `(offset, scale)` of a tensor, by its checkpoint name and shape.
    public static func initRule(name: String, shape: [Int]) -> (offset: Double, scale: Double) {
        if name.hasSuffix(".bias") { return (0, 0.1) }
        if name.contains("layer_norm") || name.contains("layernorm") || name.hasSuffix("norm.weight") { return (1, 0.2) }
        if name.hasSuffix("embed_tokens.weight") || name.hasSuffix("embed_positions.weight") { return (0, 0.5) }
        let fanIn = shape.dropFirst().reduce(1, *)
        return (0, 1.0 / Double(fanIn).squareRoot())
    }

    /// The tensor's bf16 bit patterns, row-major.
    public static func bfloat16(name: String, shape: [Int], seed: String = defaultSeed) -> [UInt16] {
        let (offset, scale) = initRule(name: name, shape: shape)
        let h = fnv1a64(Array((seed + ":" + name).utf8))
        let count = shape.reduce(1, *)
        var out = [UInt16](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { out in
            for i in 0..<count {
                var z = h &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z = z ^ (z >> 31)
                let u = Double(z >> 40) / 16_777_216
                let product = (2 * u - 1) * scale  // rounded once, then the add rounded once: no fused multiply-add
                let value = Float(product + offset)
                out[i] = HalfPrecision.bfloat16(from: value)
            }
        }
        return out
    }

    /// The tensor as a bf16 `Tensor`, and its checksum (`fnv1a64` over the little-endian bytes).
    public static func tensor(name: String, shape: [Int], seed: String = defaultSeed) -> (Tensor, UInt64) {
        let bits = bfloat16(name: name, shape: shape, seed: seed)
        let tensor = Tensor.zeros(shape, dtype: .bfloat16)
        let out = tensor.rawPointer.assumingMemoryBound(to: UInt16.self)
        for (i, b) in bits.enumerated() { out[i] = b.littleEndian }
        let checksum = fnv1a64(UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.byteCount))
        return (tensor, checksum)
    }
}

/// Locations shared by the test targets.
public enum TestPaths {
    /// The repository root (this file is Tests/TestSupport/FixtureWeights.swift).
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Tokenizer files made by `Tools/make_tokenizer_files.py` (`QWEN_AUDIO_TOKENIZER_DIR` overrides).
    public static var tokenizerDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["QWEN_AUDIO_TOKENIZER_DIR"] { return URL(fileURLWithPath: path) }
        return repository.appendingPathComponent(".cache/tokenizer")
    }
}
