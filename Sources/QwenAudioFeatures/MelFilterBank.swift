import Foundation

/// The Slaney-scale, Slaney-normalised triangular filter bank of Whisper's feature extractor.
///
/// Port of `mel_filter_bank(..., norm="slaney", mel_scale="slaney")` in transformers `audio_utils.py`:
/// computed in Float64 as the reference does, then stored as Float32 (the reference's torch path multiplies
/// in Float32 too).
enum MelFilterBank {
    /// Filters as a row-major `[frequencyBins, melBins]` matrix, ready to right-multiply a power spectrum.
    static func slaney(melBins: Int, frequencyBins: Int, sampleRate: Int, maxFrequency: Double) -> [Float] {
        let melMax = hertzToMel(maxFrequency)
        // melBins + 2 edges equally spaced in mel from mel(0) = 0, mapped back to Hz.
        let edges = (0..<(melBins + 2)).map { melToHertz(melMax * Double($0) / Double(melBins + 1)) }
        let nyquist = Double(sampleRate) / 2
        var filters = [Float](repeating: 0, count: frequencyBins * melBins)
        for bin in 0..<frequencyBins {
            let frequency = nyquist * Double(bin) / Double(frequencyBins - 1)
            for mel in 0..<melBins {
                let down = (frequency - edges[mel]) / (edges[mel + 1] - edges[mel])
                let up = (edges[mel + 2] - frequency) / (edges[mel + 2] - edges[mel + 1])
                let triangle = max(0, min(down, up))
                let norm = 2 / (edges[mel + 2] - edges[mel])
                filters[bin * melBins + mel] = Float(triangle * norm)
            }
        }
        return filters
    }

    private static let minLogHertz = 1000.0
    private static let minLogMel = 15.0
    private static let logStep = 27.0 / log(6.4)

    static func hertzToMel(_ hertz: Double) -> Double {
        hertz < minLogHertz ? 3 * hertz / 200 : minLogMel + log(hertz / minLogHertz) * logStep
    }

    static func melToHertz(_ mel: Double) -> Double {
        mel < minLogMel ? 200 * mel / 3 : minLogHertz * exp((mel - minLogMel) / logStep)
    }
}
