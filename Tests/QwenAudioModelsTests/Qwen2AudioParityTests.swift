import Foundation
import QwenAudioFeatures
import QwenAudioTensor
import QwenAudioTestSupport
import Testing

@testable import QwenAudioModels

/// Largest |a − b| over the first `rows` rows of two row-major matrices with `columns` columns.
func maxDifference(_ a: [Float], _ b: [Float], rows: Int, columns: Int) -> Float {
    var worst: Float = 0
    for i in 0..<(rows * columns) { worst = max(worst, abs(a[i] - b[i])) }
    return worst
}

@Suite("Qwen2-Audio against transformers", .serialized)
struct Qwen2AudioParityTests {
    /// FP32 compute from bf16 weights, as the reference ran.
    static let tolerance: Float = 1e-4

    @Test("the regenerated weights are byte-identical to the reference's", arguments: ["tiny-mha", "tiny-gqa"])
    func weights(name: String) {
        let fixture = TinyFixture.all[name]!
        #expect(!fixture.weightChecksums.isEmpty)
        let wrong = fixture.weightChecksums.filter { $0.value.computed != $0.value.expected }.keys.sorted()
        #expect(wrong.isEmpty, "checksums differ for \(wrong.prefix(5))")
    }

    @Test("every stage from the first conv to the last logits matches", arguments: ["tiny-mha", "tiny-gqa"])
    func stages(name: String) throws {
        let fixture = TinyFixture.all[name]!
        let model = try Qwen2AudioModel(directory: fixture.modelDirectory)
        let d = model.configuration.encoder.modelSize, hidden = model.configuration.text.hiddenSize
        let l2 = fixture.int("L2"), tokens = fixture.int("N_tok"), sequence = fixture.int("S")

        var taps: [String: [Float]] = [:]
        let collect: (String, [Float]) -> Void = { taps[$0] = $1 }
        let audio = model.encodeAudio(features: fixture.referenceFeatures, validMelFrames: fixture.int("L_mel"), tap: collect)
        #expect(audio.tokenCount == tokens)

        func check(_ tap: String, rows: Int, columns: Int) {
            guard let ours = taps[tap] else {
                Issue.record("no tap \(tap)")
                return
            }
            let compared = min(rows, fixture.tapShape(tap)[0], ours.count / columns)
            let difference = maxDifference(ours, fixture.tap(tap), rows: compared, columns: columns)
            print("\(name) \(tap): max |Δ| \(difference) over \(compared) rows")
            #expect(difference <= Self.tolerance, "\(tap)")
        }
        check("enc_conv1_gelu", rows: 2 * l2, columns: d)
        check("enc_conv2_gelu", rows: l2, columns: d)
        check("enc_layer0_out", rows: l2, columns: d)
        check("enc_last_hidden_state", rows: tokens, columns: d)
        check("audio_features", rows: tokens, columns: hidden)

        let cache = model.makeCache(capacity: sequence + 1)
        let logits = try model.forward(tokens: fixture.inputIDs, audio: [audio], cache: cache, logits: .all, tap: collect)
        check("lm_inputs_embeds", rows: sequence, columns: hidden)
        check("lm_layer0_out", rows: sequence, columns: hidden)
        check("lm_final_hidden", rows: sequence, columns: hidden)

        let vocab = model.configuration.text.vocabSize
        let expectedRows = fixture.tap("logits_rows")  // [S, 16]
        var rowsDifference: Float = 0
        for row in 0..<sequence {
            for j in 0..<16 { rowsDifference = max(rowsDifference, abs(logits[row * vocab + j] - expectedRows[row * 16 + j])) }
        }
        let last = Array(logits[((sequence - 1) * vocab)...])
        let lastDifference = maxDifference(last, fixture.tap("logits_last"), rows: 1, columns: vocab)
        print("\(name) logits: max |Δ| \(lastDifference) (last position), \(rowsDifference) (16 per position)")
        #expect(rowsDifference <= Self.tolerance)
        #expect(lastDifference <= Self.tolerance)
    }

    @Test("16 greedy tokens with the KV cache equal transformers'; the cache equals a full recompute",
        arguments: ["tiny-mha", "tiny-gqa"])
    func greedy(name: String) throws {
        let fixture = TinyFixture.all[name]!
        let model = try Qwen2AudioModel(directory: fixture.modelDirectory)
        let audio = model.encodeAudio(features: fixture.referenceFeatures, validMelFrames: fixture.int("L_mel"))
        let cache = model.makeCache(capacity: fixture.inputIDs.count + 16)
        var logits = try model.forward(tokens: fixture.inputIDs, audio: [audio], cache: cache, logits: .last)
        var generated: [Int] = []
        for step in 0..<16 {
            let next = logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }!
            generated.append(next)
            if step < 15 { logits = try model.forward(tokens: [next], audio: [], cache: cache, logits: .last) }
        }
        #expect(generated == fixture.greedyIDs)

        // The last cached step against one pass over the whole sequence without a cache.
        let fresh = model.makeCache(capacity: fixture.inputIDs.count + 16)
        let full = try model.forward(
            tokens: fixture.inputIDs + generated.dropLast(), audio: [audio], cache: fresh, logits: .last)
        let difference = maxDifference(full, logits, rows: 1, columns: logits.count)
        print("\(name) cached vs uncached logits: max |Δ| \(difference)")
        #expect(difference <= 1e-4)
    }

    @Test("our own front end from the raw clip gives the same greedy tokens", arguments: ["tiny-mha", "tiny-gqa"])
    func endToEnd(name: String) throws {
        let fixture = TinyFixture.all[name]!
        let model = try Qwen2AudioModel(directory: fixture.modelDirectory)
        let features = model.featureExtractor(fixture.samples)
        #expect(features.validFrames == fixture.int("L_mel"))
        let reference = fixture.referenceFeatures
        let featureDifference = maxDifference(features.values, reference, rows: 1, columns: reference.count)
        print("\(name) features: max |Δ| \(featureDifference)")
        #expect(featureDifference <= 5e-4)
        let audio = model.encodeAudio(samples: fixture.samples)
        let cache = model.makeCache(capacity: fixture.inputIDs.count + 16)
        var logits = try model.forward(tokens: fixture.inputIDs, audio: [audio], cache: cache, logits: .last)
        var generated: [Int] = []
        for _ in 0..<16 {
            let next = logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }!
            generated.append(next)
            logits = try model.forward(tokens: [next], audio: [], cache: cache, logits: .last)
        }
        #expect(generated == fixture.greedyIDs)
    }

    @Test("the chat template renders the reference prompt")
    func template() {
        let fixture = TinyFixture.all["tiny-mha"]!
        let rendered = Qwen2AudioChatTemplate.render([.user([.audio, .text(fixture.reference["question"] as! String)])])
        #expect(rendered == fixture.reference["prompt_text"] as! String)
    }
}
