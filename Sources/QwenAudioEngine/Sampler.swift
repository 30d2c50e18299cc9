import Foundation

/// Turns logits into the next token, in transformers' order: repetition penalty, presence penalty,
/// temperature, top-k, top-p, then a draw from a seeded generator (or the argmax when greedy).
public struct Sampler: Sendable {
    public let parameters: GenerationParameters
    private var random: SplitMix64

    public init(parameters: GenerationParameters) {
        self.parameters = parameters
        random = SplitMix64(seed: parameters.seed ?? UInt64.random(in: 0...UInt64.max))
    }

    /// - Parameters:
    ///   - logits: one row over the vocabulary (modified in place).
    ///   - context: every id of the prompt and the output so far (for the repetition penalty).
    ///   - generated: the output ids so far (for the presence penalty).
    public mutating func next(logits: inout [Float], context: [Int], generated: [Int]) -> Int {
        let p = parameters
        if p.repetitionPenalty != 1 {
            for id in Set(context) where id >= 0 && id < logits.count {
                let s = logits[id]
                logits[id] = s < 0 ? s * p.repetitionPenalty : s / p.repetitionPenalty
            }
        }
        if p.presencePenalty != 0 {
            for id in Set(generated) where id >= 0 && id < logits.count { logits[id] -= p.presencePenalty }
        }
        if p.temperature <= 0 { return Self.argmax(logits) }

        // Candidates after top-k, sorted by logit (descending); ties keep the lower id first.
        var candidates = Array(logits.indices)
        let k = p.topK > 0 ? min(p.topK, logits.count) : logits.count
        if k < logits.count {
            candidates = Array(partialTopK(logits, k))
        }
        candidates.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        let scaled = candidates.map { Double(logits[$0] / p.temperature) }
        let peak = scaled[0]
        var probabilities = scaled.map { exp($0 - peak) }
        var total = probabilities.reduce(0, +)
        if p.topP < 1 {
            // Keep the smallest prefix whose probability reaches top_p (always at least one token).
            var cumulative = 0.0
            var keep = 0
            for probability in probabilities {
                cumulative += probability / total
                keep += 1
                if cumulative >= Double(p.topP) { break }
            }
            probabilities.removeLast(probabilities.count - keep)
            candidates.removeLast(candidates.count - keep)
            total = probabilities.reduce(0, +)
        }
        var draw = random.nextUnitDouble() * total
        for (index, probability) in probabilities.enumerated() {
            draw -= probability
            if draw < 0 { return candidates[index] }
        }
        return candidates[candidates.count - 1]
    }

    /// The index of the largest logit; the lowest index wins ties (as torch.argmax).
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }

    private func partialTopK(_ logits: [Float], _ k: Int) -> [Int] {
        // A threshold from a sorted copy is simple and fast enough for one row per step.
        let threshold = logits.sorted(by: >)[k - 1]
        var chosen = logits.indices.filter { logits[$0] > threshold }
        for i in logits.indices where chosen.count < k && logits[i] == threshold { chosen.append(i) }
        return chosen
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64: Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits.
    mutating func nextUnitDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
