import Foundation
import QwenAudioEngine
import QwenAudioFeatures
import QwenAudioModels
import QwenAudioTokenizer

/// The model half of `qwen-audio bench`: load, encoder, prefill and decode of one 30 s request.
struct ModelBench {
    struct Report: Encodable {
        var model: String
        var loadSeconds: Double
        var mappedWeightBytes: Int
        var residentAfterLoadBytes: Int
        var encoderMilliseconds: Double
        var audioSeconds: Double
        var promptTokens: Int
        var prefillTokensPerSecond: Double
        var decodeTokens: Int
        var decodeTokensPerSecond: Double
        var peakResidentBytes: Int

        enum CodingKeys: String, CodingKey {
            case model
            case loadSeconds = "load_s"
            case mappedWeightBytes = "weights_bytes"
            case residentAfterLoadBytes = "rss_after_load_bytes"
            case encoderMilliseconds = "encoder_ms"
            case audioSeconds = "audio_s"
            case promptTokens = "prompt_tokens"
            case prefillTokensPerSecond = "prefill_tok_per_s"
            case decodeTokens = "decode_tokens"
            case decodeTokensPerSecond = "decode_tok_per_s"
            case peakResidentBytes = "peak_rss_bytes"
        }

        var table: String {
            let rows: [(String, String)] = [
                ("model", model),
                ("load", String(format: "%.2f s", loadSeconds)),
                ("weights (mapped)", String(format: "%.2f GiB", Double(mappedWeightBytes) / 1_073_741_824)),
                ("RSS after load", String(format: "%.2f GiB", Double(residentAfterLoadBytes) / 1_073_741_824)),
                ("encoder", String(format: "%.0f ms for %.0f s of audio (%.1f ms per audio second)", encoderMilliseconds, audioSeconds, encoderMilliseconds / audioSeconds)),
                ("prefill", String(format: "%.1f tok/s (%d tokens)", prefillTokensPerSecond, promptTokens)),
                ("decode", String(format: "%.2f tok/s (%d tokens after the prompt)", decodeTokensPerSecond, decodeTokens)),
                ("peak RSS", String(format: "%.2f GiB", Double(peakResidentBytes) / 1_073_741_824)),
            ]
            return rows.map { $0.0.padding(toLength: 18, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
        }
    }

    static func run(directory: String, audio: [Float]?, decodeTokens: Int, progress: (String) -> Void) throws -> Report {
        progress("loading \(directory)")
        let start = Date()
        let model = try ModelRegistry.load(directory: directory)
        let tokenizer = try Tokenizer(directory: URL(fileURLWithPath: directory))
        let loadSeconds = Date().timeIntervalSince(start)
        let residentAfterLoad = Memory.resident()

        // 30 s of a deterministic tone-and-noise signal unless a clip is given.
        let samples = audio ?? (0..<480_000).map { i in
            let t = Float(i) / 16_000
            return 0.3 * sin(2 * .pi * 440 * t) + 0.05 * sin(Float(i &* 7919 % 1000))
        }
        progress("encoder: \(samples.count / 16_000) s of audio")
        var clock = Date()
        let embedding = model.encodeAudio(samples: samples)
        let encoderMilliseconds = Date().timeIntervalSince(clock) * 1000

        let messages: [ChatMessage] = [.user([.audio, .text("What does the speaker say, and in what tone?")])]
        let ids = try Qwen2AudioChatTemplate.expandAudioPlaceholders(
            tokenizer.encode(model.renderPrompt(messages, addGenerationPrompt: true)),
            audioTokenID: model.audioTokenID, counts: [embedding.tokenCount])
        progress("prefill: \(ids.count) tokens")
        let cache = model.makeCache(capacity: ids.count + decodeTokens + 1)
        clock = Date()
        var logits = try model.forward(tokens: ids, audio: [embedding], cache: cache, logits: .last)
        let prefillSeconds = Date().timeIntervalSince(clock)

        progress("decode: \(decodeTokens) tokens")
        clock = Date()
        for _ in 0..<decodeTokens {
            let next = Sampler.argmax(logits)
            logits = try model.forward(tokens: [next], audio: [], cache: cache, logits: .last)
        }
        let decodeSeconds = Date().timeIntervalSince(clock)

        return Report(
            model: directory, loadSeconds: loadSeconds, mappedWeightBytes: Memory.weightBytes(directory),
            residentAfterLoadBytes: residentAfterLoad, encoderMilliseconds: encoderMilliseconds,
            audioSeconds: Double(samples.count) / 16_000, promptTokens: ids.count,
            prefillTokensPerSecond: Double(ids.count) / prefillSeconds, decodeTokens: decodeTokens,
            decodeTokensPerSecond: Double(decodeTokens) / decodeSeconds, peakResidentBytes: Memory.peakResident())
    }
}

/// Process memory from /proc.
enum Memory {
    static func resident() -> Int { status("VmRSS:") }
    static func peakResident() -> Int { status("VmHWM:") }

    private static func status(_ key: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) })
        else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }

    /// Bytes of the safetensors files in a model directory.
    static func weightBytes(_ directory: String) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".safetensors") }.reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + file)[.size] as? Int) ?? 0
            return total + (size ?? 0)
        }
    }
}
