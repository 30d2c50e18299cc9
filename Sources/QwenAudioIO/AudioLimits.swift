/// Bounds applied to every decode before and while work is done, so that no input can spin or balloon.
public struct AudioLimits: Sendable, Equatable {
    /// The largest accepted input, in bytes. The product documentation allows 10 MB per file.
    public var maxInputBytes: Int
    /// Output is cut to this many seconds (the documented 30 s): longer audio is not an error.
    /// `nil` decodes everything (the transcription endpoint windows long audio itself).
    public var maxOutputSeconds: Double?
    /// The most decoded PCM (before downmixing and resampling) one input may produce, in bytes.
    public var maxDecodedBytes: Int
    /// The wall-clock budget for one decode, in seconds.
    public var maxDecodeSeconds: Double

    public init(
        maxInputBytes: Int = 10 * 1024 * 1024,
        maxOutputSeconds: Double? = 30,
        maxDecodedBytes: Int = 512 * 1024 * 1024,
        maxDecodeSeconds: Double = 20
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxOutputSeconds = maxOutputSeconds
        self.maxDecodedBytes = maxDecodedBytes
        self.maxDecodeSeconds = maxDecodeSeconds
    }

    /// The limits of the DashScope and OpenAI chat endpoints.
    public static let chat = AudioLimits()
}

/// The highest sample rate and channel count we believe a real recording may declare.
enum AudioSanity {
    static let maxSampleRate = 384_000
    static let maxChannels = 32
}
