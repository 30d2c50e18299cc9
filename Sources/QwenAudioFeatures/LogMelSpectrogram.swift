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
/// The DFT is the first two radix-2 steps of an FFT done by hand, then SGEMM: the window and the real input
/// are symmetric (w[n] = w[400 − n]), so each frame folds into sums and differences of mirrored samples, and
/// bins k and 200 − k share their products up to the sign of odd terms. Four [frames × 100] × [100 × 101]
/// GEMMs replace one [frames × 400] × [400 × 402]: a quarter of the arithmetic. The mel filters are
/// triangles a few bins wide, applied sparsely. Frames that only see the zero padding are not computed: their
/// spectrum is exactly zero, as in the reference.
public struct LogMelSpectrogram: Sendable {
    public static let sampleRate = 16_000
    public static let fftSize = 400
    public static let hopLength = AudioLengths.hopLength
    public static let windowSamples = AudioLengths.windowSamples
    /// Frames in one 30 s window.
    public static let frames = windowSamples / hopLength
    static let frequencyBins = fftSize / 2 + 1

    /// Folded inputs per frame: four blocks of `blockSize`, see ``foldFrame``.
    private static let blockSize = 100
    /// Bins 0…100; bins 101…200 come from the same products.
    private static let halfBins = 101

    /// The number of mel bins: 128 for Qwen2-Audio and Whisper large-v3, 80 for earlier Whisper models.
    public let melBins: Int
    /// Four `[blockSize, halfBins]` bases, one after the other: windowed cosines over even and odd n, windowed
    /// sines over even and odd n.
    private let foldedBasis: [Float]
    /// Each mel filter's nonzero run: its first frequency bin, and where its weights start in
    /// `filterWeights` (filter m's run ends where filter m + 1's starts).
    private let filterBins: [Int]
    private let filterOffsets: [Int]
    private let filterWeights: [Float]

    public init(melBins: Int = 128) {
        precondition(melBins > 0, "melBins must be positive")
        self.melBins = melBins
        let dense = MelFilterBank.slaney(
            melBins: melBins,
            frequencyBins: Self.frequencyBins,
            sampleRate: Self.sampleRate,
            maxFrequency: Double(Self.sampleRate) / 2
        )
        var firstBins: [Int] = []
        var offsets: [Int] = [0]
        var weights: [Float] = []
        for mel in 0..<melBins {
            let column = (0..<Self.frequencyBins).map { dense[$0 * melBins + mel] }
            let first = column.firstIndex { $0 != 0 } ?? 0
            let last = column.lastIndex { $0 != 0 } ?? -1
            firstBins.append(first)
            if last >= first { weights.append(contentsOf: column[first...last]) }
            offsets.append(weights.count)
        }
        self.filterBins = firstBins
        self.filterOffsets = offsets
        self.filterWeights = weights

        let n = Double(Self.fftSize)
        let block = Self.blockSize
        let bins = Self.halfBins
        var basis = [Float](repeating: 0, count: 4 * block * bins)
        // Periodic Hann: torch.hann_window(400) == np.hanning(401)[:-1].
        func window(_ t: Int) -> Double { 0.5 - 0.5 * cos(2 * Double.pi * Double(t) / n) }
        // Reduce k·t mod 400 first so the angle is exact in Float64.
        func angle(_ k: Int, _ t: Int) -> Double { 2 * Double.pi * Double((k * t) % Self.fftSize) / n }
        for row in 0..<block {
            let even = 2 * row + 2  // cosine terms over n = 2, 4, …, 200; sine terms over n = 2, …, 198 (+ padding)
            let odd = 2 * row + 1  // n = 1, 3, …, 199
            for k in 0..<bins {
                basis[(0 * block + row) * bins + k] = Float(window(even) * cos(angle(k, even)))
                basis[(1 * block + row) * bins + k] = Float(window(odd) * cos(angle(k, odd)))
                basis[(2 * block + row) * bins + k] = even < Self.fftSize / 2 ? Float(window(even) * sin(angle(k, even))) : 0
                basis[(3 * block + row) * bins + k] = Float(window(odd) * sin(angle(k, odd)))
            }
        }
        self.foldedBasis = basis
    }

    /// Computes the features of one clip of 16 kHz mono samples. Samples past 30 s are ignored.
    public func callAsFunction(_ samples: [Float]) -> LogMelFeatures {
        let hop = Self.hopLength
        let totalFrames = Self.frames
        let used = min(samples.count, Self.windowSamples)
        // Frame t reads samples [160t − 200, 160t + 200); later frames see only padding.
        let activeFrames = min(totalFrames, (used + Self.fftSize / 2 + hop - 1) / hop)

        var output = [Float](repeating: 0, count: melBins * totalFrames)
        // Frames past `activeFrames` are silent: energy clamps to 1e-10, log10 = −10.
        var peak: Float = activeFrames < totalFrames ? -10 : -.infinity
        let block = Self.blockSize
        let bins = Self.halfBins
        // [activeFrames, melBins]: frame-major while computing (contiguous), transposed at the end.
        let mel = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(activeFrames, 1) * melBins)
        defer { mel.deallocate() }
        if activeFrames > 0 {
            // Four folded inputs [activeFrames, block] and four products [activeFrames, bins], each contiguous so
            // SGEMM packs and writes whole rows.
            let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: activeFrames * 4 * (block + bins))
            defer { scratch.deallocate() }
            let folded = scratch.baseAddress!
            let products = folded + activeFrames * 4 * block
            samples.withUnsafeBufferPointer { x in
                for t in 0..<activeFrames {
                    Self.foldFrame(t, of: x.baseAddress!, used: used, into: folded, frames: activeFrames)
                }
            }
            foldedBasis.withUnsafeBufferPointer { basis in
                for part in 0..<4 {
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans,
                        Int32(activeFrames), Int32(bins), Int32(block),
                        1, folded + part * activeFrames * block, Int32(block),
                        basis.baseAddress! + part * block * bins, Int32(bins),
                        0, products + part * activeFrames * bins, Int32(bins)
                    )
                }
            }
            let power = UnsafeMutablePointer<Float>.allocate(capacity: Self.frequencyBins)
            defer { power.deallocate() }
            filterWeights.withUnsafeBufferPointer { weights in
                filterBins.withUnsafeBufferPointer { filterBins in
                    filterOffsets.withUnsafeBufferPointer { offsets in
                        for t in 0..<activeFrames {
                            let cosEven = products + t * bins
                            let cosOdd = cosEven + activeFrames * bins
                            let sinEven = cosOdd + activeFrames * bins
                            let sinOdd = sinEven + activeFrames * bins
                            for k in 0..<bins {  // bins 0…100
                                let re = cosEven[k] + cosOdd[k], im = sinEven[k] + sinOdd[k]
                                power[k] = re * re + im * im
                            }
                            for k in 0..<bins {  // bins 200…100 share the products with the signs of odd terms flipped
                                let re = cosEven[k] - cosOdd[k], im = sinEven[k] - sinOdd[k]
                                power[200 - k] = re * re + im * im
                            }
                            let row = mel.baseAddress! + t * melBins
                            for m in 0..<melBins {
                                let start = offsets[m], first = filterBins[m] - start
                                var energy: Float = 0
                                for w in start..<offsets[m + 1] { energy += power[first + w] * weights[w] }
                                row[m] = max(energy, 1e-10)
                            }
                        }
                    }
                }
            }
            peak = max(peak, FastMath.log10InPlace(UnsafeMutableBufferPointer(rebasing: mel[0..<activeFrames * melBins])))
        }
        let floor = peak - 8
        let silent = (max(-10, floor) + 4) / 4
        output.withUnsafeMutableBufferPointer { out in
            // Transpose to [melBins, frames] in tiles of 16 frames (a tile of the source stays in L1).
            let tile = 16
            var t0 = 0
            while t0 < activeFrames {
                let t1 = min(t0 + tile, activeFrames)
                for m in 0..<melBins {
                    let target = out.baseAddress! + m * totalFrames
                    for t in t0..<t1 { target[t] = (max(mel[t * melBins + m], floor) + 4) / 4 }
                }
                t0 = t1
            }
            if activeFrames < totalFrames {
                for m in 0..<melBins {
                    (out.baseAddress! + m * totalFrames + activeFrames).update(repeating: silent, count: totalFrames - activeFrames)
                }
            }
        }
        return LogMelFeatures(
            values: output,
            melBins: melBins,
            frames: totalFrames,
            validFrames: AudioLengths.melFrames(sampleCount: samples.count)
        )
    }

    /// Writes frame `t`'s folded inputs: with y the frame of the clip zero-padded to 30 s and reflect-padded by
    /// 200 on each side (torch.stft, center=True, pad_mode="reflect"), s[n] = y[n] + y[400 − n] and
    /// d[n] = y[n] − y[400 − n], into four part-major blocks `[frames, 100]`: s over even n (2…198, then y[200]
    /// alone), s over odd n, d over even n (2…198, then 0), d over odd n. y[0] has window weight 0 and is dropped.
    @inline(__always)
    private static func foldFrame(
        _ t: Int, of x: UnsafePointer<Float>, used: Int, into folded: UnsafeMutablePointer<Float>, frames: Int
    ) {
        let n = fftSize
        let start = t * hopLength - n / 2
        let block = blockSize
        let sEven = folded + t * block
        let sOdd = sEven + frames * block
        let dEven = sOdd + frames * block
        let dOdd = dEven + frames * block
        if start >= 0 && start + n <= used {
            let y = x + start
            for i in 0..<(block - 1) {
                let e = 2 * i + 2
                sEven[i] = y[e] + y[n - e]
                dEven[i] = y[e] - y[n - e]
            }
            sEven[block - 1] = y[n / 2]
            dEven[block - 1] = 0
            for i in 0..<block {
                let o = 2 * i + 1
                sOdd[i] = y[o] + y[n - o]
                dOdd[i] = y[o] - y[n - o]
            }
            return
        }
        let length = windowSamples
        @inline(__always) func y(_ m: Int) -> Float {
            var j = start + m
            if j < 0 { j = -j }
            if j >= length { j = 2 * (length - 1) - j }
            return j < used ? x[j] : 0
        }
        for i in 0..<(block - 1) {
            let e = 2 * i + 2
            sEven[i] = y(e) + y(n - e)
            dEven[i] = y(e) - y(n - e)
        }
        sEven[block - 1] = y(n / 2)
        dEven[block - 1] = 0
        for i in 0..<block {
            let o = 2 * i + 1
            sOdd[i] = y(o) + y(n - o)
            dOdd[i] = y(o) - y(n - o)
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
