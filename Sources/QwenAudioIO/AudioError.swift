/// Why a piece of audio could not be turned into samples.
///
/// Every case has a stable ``code`` (the server maps codes to HTTP answers in one place) and a message that
/// names the fault, so a client can fix its request without reading our logs.
public enum AudioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input had zero bytes.
    case emptyInput
    /// The input is larger than the configured limit.
    case tooLarge(sizeBytes: Int, limitBytes: Int)
    /// FFmpeg recognised no media format, or the format is not audio (text, image, subtitles).
    case unsupportedFormat(detail: String)
    /// The container holds streams, but none of them is audio.
    case noAudioStream(container: String)
    /// The audio stream's codec has no decoder in this build.
    case unsupportedCodec(codec: String)
    /// The stream declares parameters no real audio has (0 Hz, > 384 kHz, > 32 channels).
    case invalidParameters(detail: String)
    /// The data is damaged or cut short and yielded no usable samples.
    case corruptData(detail: String)
    /// Decoding exceeded the configured decoded-size or wall-clock budget.
    case decodeLimitExceeded(detail: String)
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)

    /// A stable machine-readable code for this fault.
    public var code: String {
        switch self {
        case .emptyInput: "empty_input"
        case .tooLarge: "too_large"
        case .unsupportedFormat: "unsupported_format"
        case .noAudioStream: "no_audio_stream"
        case .unsupportedCodec: "unsupported_codec"
        case .invalidParameters: "invalid_parameters"
        case .corruptData: "corrupt_data"
        case .decodeLimitExceeded: "decode_limit_exceeded"
        case .unreadableFile: "unreadable_file"
        }
    }

    /// A sentence that says what is wrong and, where there is one, the fix.
    public var message: String {
        switch self {
        case .emptyInput:
            "The audio input is empty (0 bytes)."
        case .tooLarge(let size, let limit):
            "The audio input is \(size) bytes, larger than the limit of \(limit) bytes; send a shorter or more compressed file."
        case .unsupportedFormat(let detail):
            "The audio format is not supported: \(detail). Send WAV, MP3, AAC/M4A, AMR, 3GP, FLAC, OGG/Opus or WebM audio."
        case .noAudioStream(let container):
            "The \(container) file contains no audio stream."
        case .unsupportedCodec(let codec):
            "The audio codec '\(codec)' cannot be decoded by this server."
        case .invalidParameters(let detail):
            "The audio stream declares invalid parameters: \(detail)."
        case .corruptData(let detail):
            "The audio data is corrupt or truncated: \(detail)."
        case .decodeLimitExceeded(let detail):
            "Decoding the audio exceeded a limit: \(detail)."
        case .unreadableFile(let path, let reason):
            "Cannot read the audio file \(path): \(reason)."
        }
    }

    public var description: String { "\(code): \(message)" }
}
