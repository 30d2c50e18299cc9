import Foundation
import XCTest

@testable import QwenAudioIO

/// An XCTest case on purpose: `swift test` runs XCTest cases one at a time and before the Swift Testing suites,
/// so nothing else moves the process's memory while this measures it.
final class DecoderLeakTests: XCTestCase {
    /// Resident memory in bytes, from /proc.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Hundreds of good and bad decodes do not grow memory: every FFmpeg object is freed on every path.
    func testDecodesDoNotLeak() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0 != "manifest.json" }.sorted()
        let inputs = try files.map { try Data(contentsOf: directory.appendingPathComponent($0)) }
            + [Data(), WAV.pcm16(samples: [], sampleRate: 0)]
        func round() {
            for data in inputs { _ = try? AudioDecoder.decode(data) }
        }
        for _ in 0..<5 { round() }  // warm up allocator pools and FFmpeg's one-time tables
        let before = Self.residentBytes()
        for _ in 0..<30 { round() }
        let grown = Self.residentBytes() - before
        // Leaking the 32 KiB AVIO buffer alone adds about 24 MB over these 780 decodes.
        XCTAssertLessThan(grown, 8 * 1024 * 1024, "resident memory grew by \(grown) bytes over \(30 * inputs.count) decodes")
    }
}
