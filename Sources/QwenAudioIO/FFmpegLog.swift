import CFFmpeg
import Foundation
import Logging

/// Routes FFmpeg's log output into swift-log and remembers, per decode, the last error FFmpeg reported so
/// that ``AudioError`` messages can quote it.
///
/// FFmpeg's log callback is process-wide; the decode that is running on the calling thread is found through a
/// task-local (which also works on threads outside Swift concurrency).
enum FFmpegLog {
    private static let logger = Logger(label: "qwen-audio.ffmpeg")

    /// Collects FFmpeg's complaints during one decode.
    final class Capture: @unchecked Sendable {
        // Written and read only on the thread that runs the decode (FFmpeg logs synchronously and our
        // decoders run with one thread), so no lock is needed.
        var lastProblem: String?
    }

    @TaskLocal static var capture: Capture?

    /// Installs the callback once per process.
    static let installed: Void = {
        av_log_set_level(AV_LOG_WARNING)
        av_log_set_callback { _, level, format, arguments in
            guard let format, let arguments, level <= AV_LOG_WARNING else { return }
            var buffer = [CChar](repeating: 0, count: 512)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return }
            if level <= AV_LOG_ERROR { FFmpegLog.capture?.lastProblem = text }
            // FFmpeg's errors describe the client's input, which the caller reports as an AudioError;
            // they are diagnostics for us, not operational warnings.
            FFmpegLog.logger.debug("\(text)", metadata: ["level": "\(level)"])
        }
    }()
}
