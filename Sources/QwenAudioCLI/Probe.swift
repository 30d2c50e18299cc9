import ArgumentParser
import Foundation
import QwenAudioFeatures
import QwenAudioIO
import QwenAudioServer

/// `qwen-audio probe`: what the server will see of a piece of audio, or the exact error a request would get.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how an audio file, URL or stdin will be decoded (format, duration, 30 s cut, audio tokens)."
    )

    @Argument(help: "An audio file, an http(s):// URL, or - for standard input.")
    var source: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "The largest accepted input in bytes.")
    var maxBytes = AudioLimits.chat.maxInputBytes

    func run() async throws {
        let limits = AudioLimits(maxInputBytes: maxBytes)
        do {
            let data = try await AudioInput.read(source, limit: limits.maxInputBytes)
            let report = ProbeReport(try AudioDecoder.decode(data, limits: limits))
            print(json ? report.json : report.table)
        } catch {
            let (code, message) = Self.describe(error)
            if json {
                print(JSONOutput.string(["error": ["code": code, "message": message]]))
            } else {
                FileHandle.standardError.write(Data("error: \(code): \(message)\n".utf8))
            }
            throw ExitCode.failure
        }
    }

    static func describe(_ error: any Error) -> (code: String, message: String) {
        switch error {
        case let error as AudioError: (error.code, error.message)
        case let error as AudioFetcher.FetchError: ("download_failed", error.description)
        default: ("error", "\(error)")
        }
    }
}

struct ProbeReport: Encodable {
    var container: String
    var codec: String
    var sampleRate: Int
    var channels: Int
    var declaredDurationSeconds: Double?
    var decodedDurationSeconds: Double
    var truncated: Bool
    var audioTokens: Int

    enum CodingKeys: String, CodingKey {
        case container, codec, channels, truncated
        case sampleRate = "sample_rate"
        case declaredDurationSeconds = "declared_duration_seconds"
        case decodedDurationSeconds = "decoded_duration_seconds"
        case audioTokens = "audio_tokens"
    }

    init(_ audio: DecodedAudio) {
        container = audio.source.container
        codec = audio.source.codec
        sampleRate = audio.source.sampleRate
        channels = audio.source.channels
        declaredDurationSeconds = audio.source.declaredDurationSeconds
        decodedDurationSeconds = audio.durationSeconds
        truncated = audio.truncated
        audioTokens = AudioLengths.audioTokens(sampleCount: audio.samples.count)
    }

    var table: String {
        let declared = declaredDurationSeconds.map { String(format: "%.3f s", $0) } ?? "not declared"
        let rows: [(String, String)] = [
            ("container", container),
            ("codec", codec),
            ("sample rate", "\(sampleRate) Hz"),
            ("channels", "\(channels)"),
            ("declared duration", declared),
            ("decoded duration", String(format: "%.3f s (16 kHz mono)", decodedDurationSeconds)),
            ("cut at 30 s", truncated ? "yes" : "no"),
            ("audio tokens", "\(audioTokens)"),
        ]
        return rows.map { $0.0.padding(toLength: 18, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }

    var json: String { JSONOutput.string(self) }
}
