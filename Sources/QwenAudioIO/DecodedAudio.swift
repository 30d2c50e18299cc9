/// What the demuxer and decoder learned about the input stream, before any conversion.
public struct AudioStreamInfo: Sendable, Equatable, Codable {
    /// FFmpeg's short name of the container format, e.g. `wav`, `mp3`, `mov,mp4,m4a,3gp,3g2,mj2`.
    public var container: String
    /// FFmpeg's name of the audio codec, e.g. `pcm_s16le`, `mp3`, `aac`, `amr_nb`, `opus`.
    public var codec: String
    /// The input sample rate in Hz.
    public var sampleRate: Int
    /// The input channel count.
    public var channels: Int
    /// The duration the container declares, in seconds; `nil` when it declares none (live WebM, raw ADTS).
    public var declaredDurationSeconds: Double?

    public init(
        container: String,
        codec: String,
        sampleRate: Int,
        channels: Int,
        declaredDurationSeconds: Double?
    ) {
        self.container = container
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
        self.declaredDurationSeconds = declaredDurationSeconds
    }
}

/// Audio as the model hears it: 16 kHz mono Float32 samples.
public struct DecodedAudio: Sendable {
    /// The sample rate of ``samples``, in Hz.
    public static let sampleRate = 16_000

    /// Mono samples at 16 kHz, nominally in [-1, 1].
    public var samples: [Float]
    /// The stream the samples came from.
    public var source: AudioStreamInfo
    /// Whether the input was longer than the output limit and was cut to it.
    public var truncated: Bool

    public init(samples: [Float], source: AudioStreamInfo, truncated: Bool) {
        self.samples = samples
        self.source = source
        self.truncated = truncated
    }

    /// The duration of ``samples`` in seconds.
    public var durationSeconds: Double { Double(samples.count) / Double(Self.sampleRate) }
}
