import Foundation
import Testing

@testable import QwenAudioFeatures

/// Reference features written by `Tools/make_mel_reference.py` with transformers' `WhisperFeatureExtractor`
/// (torch STFT path), called as the Qwen2-Audio processor calls it.
enum Reference {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Bins: Decodable {
        var file: String
        var framesStored: Int
        var lMel: Int
        var floorValue: Float
        var maxValue: Float
        var audioTokens: Int

        enum CodingKeys: String, CodingKey {
            case file
            case framesStored = "frames_stored"
            case lMel = "l_mel"
            case floorValue = "floor_value"
            case maxValue = "max_value"
            case audioTokens = "audio_tokens"
        }
    }

    struct Clip: Decodable {
        var nSamples: Int
        var bins: [String: Bins]

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            nSamples = try container.decode(Int.self, forKey: Key(stringValue: "n_samples"))
            var bins: [String: Bins] = [:]
            for key in container.allKeys where Int(key.stringValue) != nil {
                bins[key.stringValue] = try container.decode(Bins.self, forKey: key)
            }
            self.bins = bins
        }
    }

    struct TokenCount: Decodable {
        var nSamples: Int
        var lMel: Int
        var l2: Int
        var tokens: Int

        enum CodingKeys: String, CodingKey {
            case tokens, l2
            case nSamples = "n_samples"
            case lMel = "l_mel"
        }
    }

    struct File: Decodable {
        var clips: [String: Clip]
        var tokenCounts: [TokenCount]

        enum CodingKeys: String, CodingKey {
            case clips
            case tokenCounts = "token_counts"
        }
    }

    static let file: File = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("reference.json"))
        return try! JSONDecoder().decode(File.self, from: data)
    }()

    static func floats(_ name: String) -> [Float] {
        let data = try! Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// The clip's samples; `speech_31s` is `speech_3s` tiled to 31 s (not stored, to keep fixtures small).
    static func samples(_ clip: String) -> [Float] {
        if clip == "speech_31s" {
            let base = floats("speech_3s.pcm.f32")
            return (0..<496_000).map { base[$0 % base.count] }
        }
        return floats("\(clip).pcm.f32")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var clip: String
        var melBins: Int
        var testDescription: String { "\(clip) @ \(melBins) bins" }
    }

    static let cases: [Case] = file.clips.keys.sorted().flatMap { clip in
        file.clips[clip]!.bins.keys.compactMap(Int.init).sorted().map { Case(clip: clip, melBins: $0) }
    }
}

@Suite("Whisper log-mel against transformers")
struct LogMelSpectrogramTests {
    /// The bound is 5e-4; measured: see the test output (about 1e-5 on speech).
    static let tolerance: Float = 5e-4

    @Test("features match WhisperFeatureExtractor", arguments: Reference.cases)
    func matchesReference(_ testCase: Reference.Case) throws {
        let clip = Reference.file.clips[testCase.clip]!
        let expected = clip.bins[String(testCase.melBins)]!
        let reference = Reference.floats(expected.file)
        let samples = Reference.samples(testCase.clip)
        #expect(samples.count == clip.nSamples)

        let features = LogMelSpectrogram(melBins: testCase.melBins)(samples)
        #expect(features.melBins == testCase.melBins)
        #expect(features.frames == 3000)
        #expect(features.values.count == testCase.melBins * 3000)
        #expect(features.validFrames == expected.lMel)
        #expect(AudioLengths.audioTokens(sampleCount: samples.count) == expected.audioTokens)

        var maxDifference: Float = 0
        for bin in 0..<testCase.melBins {
            for frame in 0..<3000 {
                let want = frame < expected.framesStored
                    ? reference[bin * expected.framesStored + frame] : expected.floorValue
                maxDifference = max(maxDifference, abs(features[bin, frame] - want))
            }
        }
        print("log-mel \(testCase.testDescription): max |Δ| = \(maxDifference)")
        #expect(maxDifference <= Self.tolerance)
        let peak = features.values.max()!
        #expect(abs(peak - expected.maxValue) <= Self.tolerance)
    }

    @Test("silence gives the floor everywhere")
    func silence() {
        let features = LogMelSpectrogram()(Array(repeating: 0, count: 16_000))
        // All energies clamp to 1e-10: log10 = -10, max = -10, floor = -18, so every value is (-10 + 4) / 4.
        #expect(features.values.allSatisfy { $0 == -1.5 })
        #expect(features.validFrames == 100)
    }

    @Test("no samples at all still gives a full window")
    func empty() {
        let features = LogMelSpectrogram(melBins: 80)([])
        #expect(features.values.count == 80 * 3000)
        #expect(features.validFrames == 0)
    }

    @Test("mel filter bank matches the Slaney formulas")
    func filterBank() {
        #expect(abs(MelFilterBank.hertzToMel(1000) - 15) < 1e-12)
        #expect(abs(MelFilterBank.melToHertz(MelFilterBank.hertzToMel(4321)) - 4321) < 1e-9)
        let filters = MelFilterBank.slaney(melBins: 128, frequencyBins: 201, sampleRate: 16_000, maxFrequency: 8000)
        // Every filter has some weight, and each is a single triangle: zero, rising, falling, zero.
        for mel in 0..<128 {
            let column = (0..<201).map { filters[$0 * 128 + mel] }
            #expect(column.contains { $0 > 0 }, "filter \(mel) is empty")
        }
    }
}

@Suite("Audio token counts")
struct AudioLengthsTests {
    @Test("frame and token counts match the processor for every length in the table")
    func table() {
        for row in Reference.file.tokenCounts {
            let lMel = AudioLengths.melFrames(sampleCount: row.nSamples)
            #expect(lMel == row.lMel, "n = \(row.nSamples)")
            #expect(AudioLengths.encoderFrames(melFrames: lMel) == row.l2, "n = \(row.nSamples)")
            #expect(AudioLengths.audioTokens(melFrames: lMel) == row.tokens, "n = \(row.nSamples)")
        }
    }

    @Test("floor division, not truncation, for the shortest clips")
    func floorDivision() {
        // L_mel = 1: L2 = 1, tokens = (1 - 2) // 2 + 1 = 0 in Python; truncating division would give 1.
        #expect(AudioLengths.audioTokens(melFrames: 1) == 0)
        #expect(AudioLengths.audioTokens(melFrames: 0) == 0)
        #expect(AudioLengths.floorDivide(-1, 2) == -1)
        #expect(AudioLengths.floorDivide(-4, 2) == -2)
        #expect(AudioLengths.floorDivide(5, 2) == 2)
        #expect(AudioLengths.audioTokens(sampleCount: 480_000) == 750)
        #expect(AudioLengths.audioTokens(sampleCount: 16_000) == 25)
    }
}
