/// Frame and token counts of the Whisper front end and the Qwen2-Audio encoder.
///
/// Port of `_get_feat_extract_output_lengths` (transformers `modeling_qwen2_audio.py`) and of the processor's
/// attention-mask arithmetic. Python floors its integer division; Swift's `/` truncates toward zero, which
/// differs for the negative intermediate of the shortest clips, so every division here is a floor division.
public enum AudioLengths {
    /// Samples per mel frame (10 ms at 16 kHz).
    public static let hopLength = 160
    /// Samples in one 30 s window, the most the encoder takes.
    public static let windowSamples = 480_000

    /// The valid mel frames of a clip, `ceil(min(n, 480000) / 160)`: the sum of the feature attention mask.
    public static func melFrames(sampleCount: Int) -> Int {
        let used = min(max(sampleCount, 0), windowSamples)
        return (used + hopLength - 1) / hopLength
    }

    /// Valid positions after the encoder's stride-2 convolution: `(L_mel − 1) // 2 + 1`.
    public static func encoderFrames(melFrames: Int) -> Int {
        floorDivide(melFrames - 1, 2) + 1
    }

    /// Audio tokens after the encoder's average pool: `(L2 − 2) // 2 + 1` with `L2` from ``encoderFrames(melFrames:)``.
    public static func audioTokens(melFrames: Int) -> Int {
        floorDivide(encoderFrames(melFrames: melFrames) - 2, 2) + 1
    }

    /// Audio tokens for a clip of `sampleCount` samples at 16 kHz.
    public static func audioTokens(sampleCount: Int) -> Int {
        audioTokens(melFrames: melFrames(sampleCount: sampleCount))
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
