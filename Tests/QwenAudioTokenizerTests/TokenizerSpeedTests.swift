import Foundation
import Testing

@testable import QwenAudioTokenizer

/// Encoding throughput on ~1 MB of mixed text. It prints a number and asserts none (timings are not test
/// conditions on a shared machine); run it in release:
///
///     QWEN_AUDIO_TOKENIZER_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter TokenizerSpeedTests
@Suite("Tokenizer speed", .enabled(if: ProcessInfo.processInfo.environment["QWEN_AUDIO_TOKENIZER_BENCH"] == "1"))
struct TokenizerSpeedTests {
    @Test("encode and decode 1 MB of mixed text")
    func mixedText() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        let pieces = try TokenizerFixture.allCases().map(\.text)
        var text = ""
        var index = 0
        while text.utf8.count < 1_000_000 {
            text += pieces[index % pieces.count] + "\n"
            index += 1
        }
        let megabytes = Double(text.utf8.count) / 1e6
        var ids: [Int] = []
        let clock = ContinuousClock()
        var best = Duration.seconds(1000)
        for _ in 0..<5 {
            let elapsed = clock.measure { ids = tokenizer.encode(text) }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        var decoded = ""
        let decodeTime = clock.measure { decoded = tokenizer.decode(ids) }
        let milliseconds = String(format: "%.1f", seconds * 1000)
        let rate = String(format: "%.1f", megabytes / seconds)
        print("encode: \(String(format: "%.2f", megabytes)) MB, \(ids.count) ids in \(milliseconds) ms = \(rate) MB/s")
        print("decode: \(decodeTime)")
        #expect(decoded.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test("load each form")
    func loading() throws {
        let clock = ContinuousClock()
        for files in [
            ["tokenizer.json"], ["vocab.json", "merges.txt", "tokenizer_config.json"], ["qwen.tiktoken"],
        ] {
            let directory = try TokenizerFixture.directory(with: files)
            defer { try? FileManager.default.removeItem(at: directory) }
            let elapsed = try clock.measure { _ = try Tokenizer(directory: directory) }
            print("load \(files.joined(separator: " + ")): \(elapsed)")
        }
    }
}
