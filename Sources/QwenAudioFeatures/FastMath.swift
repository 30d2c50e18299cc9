/// Vectorised elementary functions for the feature path, accurate to a few ulp.
enum FastMath {
    /// `log10` of every element, in place; returns the largest result. Inputs must be positive and normal
    /// (the spectrogram clamps at 1e-10 first).
    ///
    /// Range reduction to a mantissa in [√½, √2) and Cephes' `logf` polynomial (relative error ≈ 1e-7),
    /// eight lanes at a time; libm's scalar `log10f` costs ~8 ns an element, a tenth of a 30 s spectrogram.
    static func log10InPlace(_ values: UnsafeMutableBufferPointer<Float>) -> Float {
        typealias V = SIMD8<Float>
        var peak = V(repeating: -.infinity)
        let count = values.count
        let base = values.baseAddress!
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeRawPointer(base + i)
            let x = raw.loadUnaligned(as: V.self)
            let result = log10(x)
            UnsafeMutableRawPointer(base + i).storeBytes(of: result, as: V.self)
            peak.replace(with: result, where: result .> peak)
            i += 8
        }
        var scalarPeak = peak.max()
        while i < count {
            var lane = V(repeating: 1)
            lane[0] = base[i]
            let result = log10(lane)[0]
            base[i] = result
            scalarPeak = max(scalarPeak, result)
            i += 1
        }
        return scalarPeak
    }

    @inline(__always)
    static func log10(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        // Integer → float through the mantissa (adding 1.5·2²³), which stays vectorised where Swift's generic
        // SIMD conversion would go lane by lane.
        var exponent = unsafeBitCast(((bits &>> 23) &- 127) &+ 0x4B40_0000, to: SIMD8<Float>.self) - 12_582_912
        var mantissa = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)
        // Mantissa in [1, 2): move the upper part to [√½, 1) so the polynomial argument stays small.
        let high = mantissa .> 1.41421356
        mantissa.replace(with: mantissa * 0.5, where: high)
        exponent.replace(with: exponent + 1, where: high)
        let f = mantissa - 1
        let z = f * f
        var y: SIMD8<Float> = SIMD8(repeating: 7.0376836292e-2)
        y = y * f - 1.1514610310e-1
        y = y * f + 1.1676998740e-1
        y = y * f - 1.2420140846e-1
        y = y * f + 1.4249322787e-1
        y = y * f - 1.6668057665e-1
        y = y * f + 2.0000714765e-1
        y = y * f - 2.4999993993e-1
        y = y * f + 3.3333331174e-1
        y = y * f * z
        // ln(x) = exponent·ln 2 + ln(mantissa), with ln 2 split in two for accuracy.
        y = y - 2.12194440e-4 * exponent - 0.5 * z
        let ln = f + y + 0.693359375 * exponent
        return ln * 0.4342944819032518
    }
}
