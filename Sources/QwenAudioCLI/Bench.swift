import ArgumentParser
import Foundation
import QwenAudioFeatures
import QwenAudioIO

/// `qwen-audio bench`: measures the stages of a request and prints the numbers (never a pass/fail).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model (load, encoder, prefill, decode, memory) or the audio front end (decode, log-mel).",
        discussion: """
            With --model: one 30 s request through the model (the first --audio file, else a synthetic clip). \
            Without: decode and log-mel timings for each --audio file.
            """
    )

    @Option(help: "A model directory to measure.")
    var model: String?

    @Option(help: "Tokens to decode after the prompt, with --model.")
    var decodeTokens = 128

    @Option(name: .customLong("audio"), help: "An audio file to measure; repeat for several.")
    var audioFiles: [String] = []

    @Option(help: "Timed repetitions per file (after one warm-up); the median is reported.")
    var iterations = 10

    @Option(help: "OpenBLAS threads for the spectrogram GEMMs (front-end bench).")
    var threads = 1

    @Option(help: "Mel bins: 128 (Qwen2-Audio) or 80 (Whisper v1/v2).")
    var melBins = 128

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard model != nil || !audioFiles.isEmpty else { throw ValidationError("give --model DIR or at least one --audio FILE") }
        guard iterations > 0 else { throw ValidationError("--iterations must be at least 1") }
    }

    struct Row: Encodable {
        var file: String
        var decodedSeconds: Double
        var decodeMilliseconds: Double
        var melMilliseconds: Double
        var totalMilliseconds: Double
        var realTimeFactor: Double

        enum CodingKeys: String, CodingKey {
            case file
            case decodedSeconds = "decoded_seconds"
            case decodeMilliseconds = "decode_ms"
            case melMilliseconds = "log_mel_ms"
            case totalMilliseconds = "total_ms"
            case realTimeFactor = "real_time_factor"
        }
    }

    func run() async throws {
        if let model {
            let audio = try audioFiles.first.map { try AudioDecoder.decode(contentsOf: $0).samples }
            let report = try ModelBench.run(directory: model, audio: audio, decodeTokens: decodeTokens) { step in
                FileHandle.standardError.write(Data("… \(step)\n".utf8))
            }
            print(json ? JSONOutput.string(report) : report.table)
            return
        }
        BLASThreads.set(threads)
        let extractor = LogMelSpectrogram(melBins: melBins)
        var rows: [Row] = []
        for (index, path) in audioFiles.enumerated() {
            if !json {
                FileHandle.standardError.write(Data("[\(index + 1)/\(audioFiles.count)] \(path)…\n".utf8))
            }
            let data = try AudioDecoder.readFile(path, limit: AudioLimits.chat.maxInputBytes)
            var audio = try AudioDecoder.decode(data)
            _ = extractor(audio.samples)
            var decodeTimes: [Double] = []
            var melTimes: [Double] = []
            for _ in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                audio = try AudioDecoder.decode(data)
                let decoded = DispatchTime.now().uptimeNanoseconds
                let features = extractor(audio.samples)
                let done = DispatchTime.now().uptimeNanoseconds
                precondition(features.values.count == melBins * LogMelSpectrogram.frames)
                decodeTimes.append(Double(decoded - start) / 1e6)
                melTimes.append(Double(done - decoded) / 1e6)
            }
            let decode = Self.median(decodeTimes)
            let mel = Self.median(melTimes)
            rows.append(
                Row(
                    file: path,
                    decodedSeconds: audio.durationSeconds,
                    decodeMilliseconds: decode,
                    melMilliseconds: mel,
                    totalMilliseconds: decode + mel,
                    realTimeFactor: (decode + mel) / 1000 / audio.durationSeconds
                )
            )
        }
        if json {
            print(JSONOutput.string(BenchReport(threads: threads, melBins: melBins, iterations: iterations, rows: rows)))
        } else {
            print("front end: FFmpeg decode → 16 kHz mono, then \(melBins)-bin log-mel; median of \(iterations); BLAS threads \(threads)")
            print("file".padding(toLength: 40, withPad: " ", startingAt: 0) + "  audio s  decode ms  log-mel ms  total ms      RTF")
            for row in rows {
                let name = URL(fileURLWithPath: row.file).lastPathComponent.padding(toLength: 40, withPad: " ", startingAt: 0)
                print(
                    name
                        + String(
                            format: "  %7.2f  %9.2f  %10.2f  %8.2f  %7.5f", row.decodedSeconds, row.decodeMilliseconds,
                            row.melMilliseconds, row.totalMilliseconds, row.realTimeFactor)
                )
            }
        }
    }

    struct BenchReport: Encodable {
        var threads: Int
        var melBins: Int
        var iterations: Int
        var rows: [Row]

        enum CodingKeys: String, CodingKey {
            case threads, iterations, rows
            case melBins = "mel_bins"
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
