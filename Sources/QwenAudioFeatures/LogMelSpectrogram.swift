import CBLAS
import Foundation

/// The log-mel features a Whisper-style encoder reads, exactly as transformers' `WhisperFeatureExtractor`
/// computes them for Qwen2-Audio (128 bins) and Whisper v1/v2 (80 bins).
///
/// Port of `WhisperFeatureExtractor._torch_extract_fbank_features` (transformers
/// `models/whisper/feature_extraction_whisper.py`), as the Qwen2-Audio processor calls it:
/// 1. pad or cut the clip to 30 s (480,000 samples);
/// 2. STFT with a periodic 400-point Hann window, hop 160, centred with reflect padding; the last of the
///    3001 frames is dropped;
/// 3. power spectrum through a Slaney mel filter bank;
/// 4. `log10(max(mel, 1e-10))`, floored at the clip's maximum − 8, then `(x + 4) / 4`.
///
/// The 400-point DFT runs as one SGEMM over all frames, with the window folded into the basis. Frames that
/// only see the zero padding are not computed: their spectrum is exactly zero, as in the reference.
public struct LogMelSpectrogram: Sendable {
    public static let sampleRate = 16_000
    public static let fftSize = 400
    public static let hopLength = AudioLengths.hopLength
    public static let windowSamples = AudioLengths.windowSamples
    /// Frames in one 30 s window.
    public static let frames = windowSamples / hopLength
    static let frequencyBins = fftSize / 2 + 1

    /// The number of mel bins: 128 for Qwen2-Audio and Whisper large-v3, 80 for earlier Whisper models.
    public let melBins: Int
    /// `[fftSize, 2 * frequencyBins]`: windowed cosines, then windowed sines.
    private let dftBasis: [Float]
    /// `[frequencyBins, melBins]`.
    private let filters: [Float]

    public init(melBins: Int = 128) {
        precondition(melBins > 0, "melBins must be positive")
        self.melBins = melBins
        self.filters = MelFilterBank.slaney(
            melBins: melBins,
            frequencyBins: Self.frequencyBins,
            sampleRate: Self.sampleRate,
            maxFrequency: Double(Self.sampleRate) / 2
        )
        let n = Self.fftSize
        let bins = Self.frequencyBins
        var basis = [Float](repeating: 0, count: n * 2 * bins)
        for t in 0..<n {
            // Periodic Hann: torch.hann_window(400) == np.hanning(401)[:-1].
            let window = 0.5 - 0.5 * cos(2 * Double.pi * Double(t) / Double(n))
            for k in 0..<bins {
                // Reduce k·t mod n first so the angle stays small and exact in Float64.
                let angle = 2 * Double.pi * Double((k * t) % n) / Double(n)
                basis[t * 2 * bins + k] = Float(window * cos(angle))
                basis[t * 2 * bins + bins + k] = Float(window * sin(angle))
            }
        }
        self.dftBasis = basis
    }

    /// Computes the features of one clip of 16 kHz mono samples. Samples past 30 s are ignored.
    public func callAsFunction(_ samples: [Float]) -> LogMelFeatures {
        let n = Self.fftSize
        let hop = Self.hopLength
        let bins = Self.frequencyBins
        let totalFrames = Self.frames
        let used = min(samples.count, Self.windowSamples)
        // Frame t reads samples [160t − 200, 160t + 200); later frames see only padding.
        let activeFrames = min(totalFrames, (used + n / 2 + hop - 1) / hop)

        var output = [Float](repeating: -10, count: melBins * totalFrames)  // log10(1e-10) for silent frames
        var peak: Float = activeFrames < totalFrames ? -10 : -.infinity
        if activeFrames > 0 {
            let spectrum = UnsafeMutableBufferPointer<Float>.allocate(capacity: activeFrames * (n + 2 * bins))
            defer { spectrum.deallocate() }
            let framed = spectrum.baseAddress!
            let dft = framed + activeFrames * n
            samples.withUnsafeBufferPointer { x in
                Self.frame(x.baseAddress!, used: used, into: framed, frames: activeFrames)
            }
            dftBasis.withUnsafeBufferPointer { basis in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    Int32(activeFrames), Int32(2 * bins), Int32(n),
                    1, framed, Int32(n), basis.baseAddress, Int32(2 * bins),
                    0, dft, Int32(2 * bins)
                )
            }
            // Power spectrum, written over the frames (no longer needed): [activeFrames, bins].
            let power = framed
            for t in 0..<activeFrames {
                let row = dft + t * 2 * bins
                for k in 0..<bins {
                    let re = row[k]
                    let im = row[bins + k]
                    power[t * bins + k] = re * re + im * im
                }
            }
            // Mel energies, written over the DFT output: [activeFrames, melBins].
            let mel = dft
            filters.withUnsafeBufferPointer { filters in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    Int32(activeFrames), Int32(melBins), Int32(bins),
                    1, power, Int32(bins), filters.baseAddress, Int32(melBins),
                    0, mel, Int32(melBins)
                )
            }
            output.withUnsafeMutableBufferPointer { out in
                for t in 0..<activeFrames {
                    let row = mel + t * melBins
                    for b in 0..<melBins {
                        let value = log10f(max(row[b], 1e-10))
                        out[b * totalFrames + t] = value
                        peak = max(peak, value)
                    }
                }
            }
        }
        let floor = peak - 8
        output.withUnsafeMutableBufferPointer { out in
            for i in out.indices { out[i] = (max(out[i], floor) + 4) / 4 }
        }
        return LogMelFeatures(
            values: output,
            melBins: melBins,
            frames: totalFrames,
            validFrames: AudioLengths.melFrames(sampleCount: samples.count)
        )
    }

    /// Writes `frames` rows of 400 samples, hop 160, from the clip zero-padded to 30 s and reflect-padded by
    /// 200 on each side (torch.stft with center=True, pad_mode="reflect").
    private static func frame(_ x: UnsafePointer<Float>, used: Int, into framed: UnsafeMutablePointer<Float>, frames: Int) {
        let n = fftSize
        let length = windowSamples
        for t in 0..<frames {
            let row = framed + t * n
            let start = t * hopLength - n / 2
            if start >= 0 && start + n <= used {
                row.update(from: x + start, count: n)
                continue
            }
            for m in 0..<n {
                var j = start + m
                if j < 0 { j = -j }
                if j >= length { j = 2 * (length - 1) - j }
                row[m] = j < used ? x[j] : 0
            }
        }
    }
}

/// Log-mel features of one clip.
public struct LogMelFeatures: Sendable {
    /// Row-major `[melBins, frames]`.
    public var values: [Float]
    public let melBins: Int
    /// Always 3000: the encoder takes one whole 30 s window.
    public let frames: Int
    /// Frames that hold the clip rather than padding: the sum of the reference's feature attention mask.
    public let validFrames: Int

    /// The value at one mel bin and frame.
    public subscript(bin: Int, frame: Int) -> Float { values[bin * frames + frame] }
}
