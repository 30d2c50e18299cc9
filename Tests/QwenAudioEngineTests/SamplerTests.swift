import Testing

@testable import QwenAudioEngine

@Suite("Sampler")
struct SamplerTests {
    static let logits: [Float] = [1.0, 3.0, -2.0, 2.5, 0.5, 3.0, -0.5]

    @Test("temperature 0 is the argmax, lowest id on ties")
    func greedy() {
        var sampler = Sampler(parameters: .greedy(maxTokens: 1))
        var logits = Self.logits
        #expect(sampler.next(logits: &logits, context: [], generated: []) == 1)
    }

    @Test("top-k 1 always picks the best token")
    func topOne() {
        var sampler = Sampler(parameters: GenerationParameters(temperature: 1, topK: 1, topP: 1, repetitionPenalty: 1, seed: 7))
        for _ in 0..<20 {
            var logits: [Float] = [0.1, 0.2, 5, 0.3]
            #expect(sampler.next(logits: &logits, context: [], generated: []) == 2)
        }
    }

    @Test("the same seed gives the same draws; another seed gives others")
    func seeded() {
        func draws(_ seed: UInt64) -> [Int] {
            var sampler = Sampler(parameters: GenerationParameters(temperature: 1.5, topK: 0, topP: 1, repetitionPenalty: 1, seed: seed))
            return (0..<40).map { _ in
                var logits = Self.logits
                return sampler.next(logits: &logits, context: [], generated: [])
            }
        }
        #expect(draws(42) == draws(42))
        #expect(draws(42) != draws(43))
        #expect(Set(draws(42)).count > 2, "a hot temperature should spread the draws")
    }

    @Test("top-p keeps the smallest set reaching the mass")
    func nucleus() {
        // Probabilities ≈ [0.64, 0.24, 0.09, 0.03]: top_p 0.5 keeps only the first, 0.8 the first two.
        var sampler = Sampler(parameters: GenerationParameters(temperature: 1, topK: 0, topP: 0.5, repetitionPenalty: 1, seed: 1))
        for _ in 0..<30 {
            var logits: [Float] = [3, 2, 1, 0]
            #expect(sampler.next(logits: &logits, context: [], generated: []) == 0)
        }
        var wider = Sampler(parameters: GenerationParameters(temperature: 1, topK: 0, topP: 0.8, repetitionPenalty: 1, seed: 1))
        let picks = Set((0..<60).map { _ in
            var logits: [Float] = [3, 2, 1, 0]
            return wider.next(logits: &logits, context: [], generated: [])
        })
        #expect(picks == [0, 1])
    }

    @Test("repetition penalty divides positive and multiplies negative logits of seen ids (transformers)")
    func repetitionPenalty() {
        var sampler = Sampler(parameters: GenerationParameters(temperature: 0, repetitionPenalty: 2))
        var logits: [Float] = [4, 3, -1, 2.5]
        _ = sampler.next(logits: &logits, context: [0, 2, 0], generated: [])
        #expect(logits == [2, 3, -2, 2.5])
    }

    @Test("presence penalty lowers tokens already generated")
    func presencePenalty() {
        var sampler = Sampler(parameters: GenerationParameters(temperature: 0, repetitionPenalty: 1, presencePenalty: 1.5))
        var logits: [Float] = [2, 1.9, 0]
        #expect(sampler.next(logits: &logits, context: [0], generated: [0]) == 1)
    }

    @Test("billed audio tokens: 25 per second, at least 25, at most 750")
    func billing() {
        #expect(Usage.billedAudioTokens(sampleCount: 160) == 25)
        #expect(Usage.billedAudioTokens(sampleCount: 16_000) == 25)
        #expect(Usage.billedAudioTokens(sampleCount: 54_400) == 85)  // 3.4 s, the documentation's example
        #expect(Usage.billedAudioTokens(sampleCount: 21_920) == 35)  // 1.37 s rounds up
        #expect(Usage.billedAudioTokens(sampleCount: 480_000) == 750)
        #expect(Usage.billedAudioTokens(sampleCount: 1_000_000) == 750)
    }
}
