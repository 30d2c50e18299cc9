import Foundation
import Testing

@testable import QwenAudioIO

/// The corpus made by `Tools/make_audio_corpus.sh`: espeak-ng speech in every format the product documentation
/// names and the common ones clients send, plus bad inputs.
enum Corpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/corpus")

    struct Entry: Decodable, CustomTestStringConvertible, Sendable {
        var file: String
        var codec: String
        var container: String
        var sampleRate: Int
        var channels: Int
        var expectedSeconds: Double
        var measuredFFmpegSeconds: Double

        enum CodingKeys: String, CodingKey {
            case file, codec, container, channels
            case sampleRate = "sample_rate"
            case expectedSeconds = "expected_seconds"
            case measuredFFmpegSeconds = "measured_ffmpeg_seconds"
        }

        var testDescription: String { file }
        var path: String { Corpus.directory.appendingPathComponent(file).path }
    }

    static let entries: [Entry] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode([Entry].self, from: data)
    }()

    static func bytes(_ file: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(file))
    }
}

/// Builds WAV files in memory, including headers no honest encoder writes.
enum WAV {
    static func pcm16(
        samples: [Int16],
        sampleRate: UInt32,
        channels: UInt16 = 1,
        declaredDataBytes: UInt32? = nil
    ) -> Data {
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        let dataBytes = UInt32(samples.count * 2)
        data.append(contentsOf: Array("RIFF".utf8))
        u32(36 + dataBytes)
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16)
        u16(1)
        u16(channels)
        u32(sampleRate)
        u32(sampleRate &* UInt32(channels) &* 2)
        u16(channels * 2)
        u16(16)
        data.append(contentsOf: Array("data".utf8))
        u32(declaredDataBytes ?? dataBytes)
        for s in samples { withUnsafeBytes(of: s.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// A 440 Hz tone at 16 kHz.
    static func tone(seconds: Double, sampleRate: Int = 16_000) -> [Int16] {
        (0..<Int(seconds * Double(sampleRate))).map { i in
            Int16(8000 * sin(2 * Double.pi * 440 * Double(i) / Double(sampleRate)))
        }
    }
}

@Suite("Audio decoding")
struct AudioDecoderTests {
    /// Lossy codecs code whole frames, and AAC without a gapless edit list (raw ADTS, this 3GPP file) keeps its
    /// 1024-sample priming: the decoder may return up to this much more than the source held.
    static func framingAllowanceSeconds(_ entry: Corpus.Entry) -> Double {
        switch entry.codec {
        case "aac": 2048 / Double(entry.sampleRate)
        case "gsm_ms": 320 / Double(entry.sampleRate)
        case "amr_nb": 160 / Double(entry.sampleRate)
        default: 0
        }
    }

    @Test("every corpus format decodes to 16 kHz mono of the expected duration", arguments: Corpus.entries)
    func decodesCorpus(_ entry: Corpus.Entry) throws {
        let audio = try AudioDecoder.decode(contentsOf: entry.path)
        #expect(audio.source.codec == entry.codec)
        // FFmpeg names a demuxer by all the containers it reads ("matroska,webm"); raw ADTS is its "aac".
        let containers = audio.source.container.split(separator: ",").map(String.init)
        #expect(containers.contains(entry.container == "adts" ? "aac" : entry.container))
        #expect(audio.source.sampleRate == entry.sampleRate)
        #expect(audio.source.channels == entry.channels)
        #expect(!audio.truncated)
        let duration = audio.durationSeconds
        #expect(duration >= entry.expectedSeconds - 0.020, "decoded \(duration) s, source \(entry.expectedSeconds) s")
        #expect(
            duration <= entry.expectedSeconds + 0.020 + Self.framingAllowanceSeconds(entry),
            "decoded \(duration) s, source \(entry.expectedSeconds) s"
        )
        // The ffmpeg command line, reading the same file through the same libraries, agrees to within a millisecond.
        #expect(abs(duration - entry.measuredFFmpegSeconds) <= 0.001)
        let rms = (audio.samples.reduce(0) { $0 + Double($1 * $1) } / Double(audio.samples.count)).squareRoot()
        #expect(rms > 0.01, "speech should be audible, RMS \(rms)")
        #expect(audio.samples.allSatisfy { $0.isFinite && abs($0) <= 1.5 })
    }

    @Test("decoding from memory and from a file give identical samples")
    func memoryEqualsFile() throws {
        for file in ["speech.mp3", "speech_opus.webm", "pcm16_44k_stereo.wav"] {
            let fromFile = try AudioDecoder.decode(contentsOf: Corpus.directory.appendingPathComponent(file).path)
            let fromMemory = try AudioDecoder.decode(Corpus.bytes(file))
            #expect(fromFile.samples == fromMemory.samples, "\(file)")
        }
    }

    @Test("16 kHz PCM passes through sample-exact")
    func pcmIsExact() throws {
        let tone = WAV.tone(seconds: 1.5)
        let audio = try AudioDecoder.decode(WAV.pcm16(samples: tone, sampleRate: 16_000))
        #expect(audio.samples.count == tone.count)
        let maxError = zip(audio.samples, tone).map { abs($0 - Float($1) / 32768) }.max() ?? 1
        #expect(maxError == 0)
    }

    @Test("a stereo file with speech on one channel keeps the speech (channels are averaged)")
    func oneSidedStereo() throws {
        let data = try Corpus.bytes("stereo_left_only.wav")
        let audio = try AudioDecoder.decode(data)
        // Parse the PCM ourselves: the output must be the average of left (speech) and right (silence).
        let left = Self.leftChannel(ofStereoPCM16: data)
        #expect(left.count == audio.samples.count)
        let maxError = zip(audio.samples, left).map { abs($0 - $1 / 2) }.max() ?? 1
        #expect(maxError < 1e-6)
        let rms = (audio.samples.reduce(0) { $0 + Double($1 * $1) } / Double(audio.samples.count)).squareRoot()
        #expect(rms > 0.01)
    }

    static func leftChannel(ofStereoPCM16 data: Data) -> [Float] {
        let bytes = [UInt8](data)
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
                | Int(bytes[offset + 7]) << 24
            if id == "data" {
                return stride(from: offset + 8, to: min(offset + 8 + size, bytes.count) - 3, by: 4).map { i in
                    Float(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)) / 32768
                }
            }
            offset += 8 + size + (size & 1)
        }
        return []
    }

    @Test("45 s of audio is cut to exactly 30 s; 30 s exactly is not cut")
    func cutsAtThirtySeconds() throws {
        let long = try AudioDecoder.decode(WAV.pcm16(samples: WAV.tone(seconds: 45), sampleRate: 16_000))
        #expect(long.samples.count == 480_000)
        #expect(long.truncated)
        #expect(long.source.declaredDurationSeconds == 45)

        let resampled = try AudioDecoder.decode(WAV.pcm16(samples: WAV.tone(seconds: 45, sampleRate: 44_100), sampleRate: 44_100))
        #expect(resampled.samples.count == 480_000)
        #expect(resampled.truncated)

        let exact = try AudioDecoder.decode(WAV.pcm16(samples: WAV.tone(seconds: 30), sampleRate: 16_000))
        #expect(exact.samples.count == 480_000)
        #expect(!exact.truncated)

        var unlimited = AudioLimits.chat
        unlimited.maxOutputSeconds = nil
        let whole = try AudioDecoder.decode(WAV.pcm16(samples: WAV.tone(seconds: 45), sampleRate: 16_000), limits: unlimited)
        #expect(whole.samples.count == 720_000)
        #expect(!whole.truncated)
    }

    @Test("several decodes at once give the same results as one at a time")
    func concurrentDecodes() async throws {
        let files = ["speech.mp3", "speech.m4a", "speech_vorbis.ogg", "speech.amr", "gsm_ms.wav", "speech.flac"]
        let serial = try files.map { try AudioDecoder.decode(Corpus.bytes($0)).samples }
        let parallel = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, file) in files.enumerated() {
                let data = try Corpus.bytes(file)
                group.addTask { (index, try AudioDecoder.decode(data).samples) }
            }
            var results = [[Float]](repeating: [], count: files.count)
            for try await (index, samples) in group { results[index] = samples }
            return results
        }
        #expect(serial == parallel)
    }
}

@Suite("Bad audio input")
struct BadAudioTests {
    static func failure(_ data: Data, limits: AudioLimits = .chat) -> AudioError? {
        do {
            let audio = try AudioDecoder.decode(data, limits: limits)
            Issue.record("decoded \(audio.samples.count) samples instead of failing")
            return nil
        } catch {
            return error
        }
    }

    static func failure(file: String) throws -> AudioError? {
        failure(try Corpus.bytes(file))
    }

    @Test("zero bytes") func empty() {
        #expect(Self.failure(Data()) == .emptyInput)
    }

    @Test("input over the size limit is refused before decoding") func tooLarge() throws {
        let data = try Corpus.bytes("speech.flac")
        let error = Self.failure(data, limits: AudioLimits(maxInputBytes: 1000))
        #expect(error == .tooLarge(sizeBytes: data.count, limitBytes: 1000))
        #expect(error?.code == "too_large")
    }

    @Test("a file over the size limit is refused before it is read") func tooLargeFile() {
        let path = Corpus.directory.appendingPathComponent("pcm16_44k_stereo.wav").path
        #expect(throws: AudioError.self) { try AudioDecoder.decode(contentsOf: path, limits: AudioLimits(maxInputBytes: 10)) }
        #expect((try? AudioDecoder.readFile(path, limit: 10)) == nil)
    }

    @Test("a missing file") func missingFile() {
        do {
            _ = try AudioDecoder.decode(contentsOf: "/nonexistent/clip.wav")
            Issue.record("no error")
        } catch {
            #expect(error.code == "unreadable_file")
            #expect(error.message.contains("/nonexistent/clip.wav"))
        }
    }

    @Test("random bytes named .mp3") func randomBytes() throws {
        let error = try Self.failure(file: "random.mp3")
        #expect(error?.code == "corrupt_data" || error?.code == "unsupported_format", "\(String(describing: error))")
    }

    @Test("a text file named .wav") func text() throws {
        let error = try Self.failure(file: "text.wav")
        #expect(error?.code == "unsupported_format")
    }

    @Test("an HTML page named .mp3") func html() throws {
        let error = try Self.failure(file: "page.mp3")
        #expect(error?.code == "unsupported_format")
    }

    @Test("a PNG named .wav") func png() throws {
        let error = try Self.failure(file: "image.wav")
        #expect(error?.code == "unsupported_format")
        #expect(error?.message.contains("png") == true)
    }

    @Test("a video with no audio stream") func videoOnly() throws {
        let error = try Self.failure(file: "video_no_audio.mp4")
        #expect(error?.code == "no_audio_stream")
    }

    @Test("a truncated MP3") func truncatedMP3() throws {
        let error = try Self.failure(file: "truncated.mp3")
        #expect(error?.code == "corrupt_data")
        #expect(error?.message.contains("truncated") == true)
    }

    @Test("an MP3 cut in the middle") func halfMP3() throws {
        let data = try Corpus.bytes("speech.mp3")
        let error = Self.failure(data.prefix(data.count / 3))
        #expect(error?.code == "corrupt_data")
    }

    @Test("a WAV header claiming 0 Hz") func zeroHertz() {
        let error = Self.failure(WAV.pcm16(samples: WAV.tone(seconds: 0.5), sampleRate: 0))
        #expect(error?.code == "corrupt_data" || error?.code == "invalid_parameters", "\(String(describing: error))")
        #expect(error?.message.contains("sample rate") == true, "\(String(describing: error))")
    }

    @Test("a WAV header claiming 0xFFFFFFFF Hz") func hugeRate() {
        let error = Self.failure(WAV.pcm16(samples: WAV.tone(seconds: 0.5), sampleRate: 0xFFFF_FFFF))
        #expect(error?.code == "corrupt_data" || error?.code == "invalid_parameters", "\(String(describing: error))")
        #expect(error?.message.contains("sample rate") == true, "\(String(describing: error))")
    }

    @Test("a WAV header claiming 1 MHz") func megahertz() {
        let error = Self.failure(WAV.pcm16(samples: WAV.tone(seconds: 0.5), sampleRate: 1_000_000))
        #expect(error?.code == "invalid_parameters")
    }

    @Test("a WAV header claiming 40 channels") func tooManyChannels() {
        let error = Self.failure(WAV.pcm16(samples: WAV.tone(seconds: 0.5), sampleRate: 16_000, channels: 40))
        #expect(error?.code == "invalid_parameters" || error?.code == "corrupt_data", "\(String(describing: error))")
    }

    @Test("a WAV header claiming a huge data size with no data behind it") func hugeDataSize() {
        let error = Self.failure(WAV.pcm16(samples: [], sampleRate: 16_000, declaredDataBytes: 0xFFFF_FFF0))
        #expect(error?.code == "corrupt_data")
    }

    @Test("a WAV header claiming a huge data size decodes the data that is there (streamed WAVs do this)")
    func hugeDataSizeWithData() throws {
        let audio = try AudioDecoder.decode(
            WAV.pcm16(samples: WAV.tone(seconds: 0.5), sampleRate: 16_000, declaredDataBytes: 0xFFFF_FFF0)
        )
        #expect(audio.samples.count == 8000)
    }

    @Test("the wall-clock budget stops a decode") func timeBudget() throws {
        let error = Self.failure(try Corpus.bytes("speech.mp3"), limits: AudioLimits(maxDecodeSeconds: 0))
        #expect(error?.code == "decode_limit_exceeded")
    }

    @Test("the decoded-size budget stops a decode") func sizeBudget() throws {
        let error = Self.failure(try Corpus.bytes("pcm16_44k_stereo.wav"), limits: AudioLimits(maxDecodedBytes: 10_000))
        #expect(error?.code == "decode_limit_exceeded")
    }

    @Test("every error has a distinct stable code and a message") func codes() {
        let errors: [AudioError] = [
            .emptyInput, .tooLarge(sizeBytes: 2, limitBytes: 1), .unsupportedFormat(detail: "x"),
            .noAudioStream(container: "mp4"), .unsupportedCodec(codec: "x"), .invalidParameters(detail: "x"),
            .corruptData(detail: "x"), .decodeLimitExceeded(detail: "x"), .unreadableFile(path: "p", reason: "r"),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        #expect(errors.allSatisfy { !$0.message.isEmpty })
    }
}
