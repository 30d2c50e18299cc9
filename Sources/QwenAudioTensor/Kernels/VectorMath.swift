/// Eight-lane `exp` and `erf`. Swift's scalar `expf`/`erff` are libm calls, one element at a time; the
/// encoder's softmax alone makes 1.4 billion of them for 30 s of audio.
///
/// `exp`: Cephes `expf` — `x = n·ln 2 + r`, a degree-6 polynomial in r, `2ⁿ` built in the exponent bits;
/// about 1 ulp. `erf`: the rational approximation Eigen uses for `erf` on [−4, 4] (saturating outside);
/// about 2 ulp. Both use separate multiplies and adds: the baseline x86-64 target has no FMA instruction,
/// and Swift's `addingProduct` would call libm's software `fmaf` per lane.
public enum VectorMath {
    public typealias V = SIMD8<Float>

    /// 1.5 · 2²³: adding it rounds a float of magnitude < 2²² to an integer, which then sits in the low mantissa
    /// bits. Swift's generic SIMD `rounded` and Float ↔ Int conversions run lane by lane; this stays in vectors.
    static let magic: Float = 12_582_912
    static let magicBits: Int32 = 0x4B40_0000

    @inline(__always)
    public static func exp(_ input: V) -> V {
        var x = input
        x.replace(with: 88.3762626647949, where: x .> 88.3762626647949)
        x.replace(with: -87.3365447, where: x .< -87.3365447)
        // n = round(x / ln 2), as a float and as an integer.
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- magicBits
        var r = x - n * 0.693359375
        r = r + n * 2.12194440e-4
        let z = r * r
        var y: V = V(repeating: 1.9875691500e-4)
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * z + r + 1
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: V.self)
        var result = y * scale
        // Below the smallest normal result the reference gives (effectively) zero: masked scores must weigh 0.
        result.replace(with: 0, where: input .< -87.3365447)
        return result
    }

    @inline(__always)
    public static func erf(_ input: V) -> V {
        var x = input
        x.replace(with: 4, where: x .> 4)
        x.replace(with: -4, where: x .< -4)
        let x2 = x * x
        var p: V = V(repeating: -2.72614225801306e-10)
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        p = p * x
        var q: V = V(repeating: -1.45660718464996e-05)
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return p / q
    }

    /// Applies `body` to `count` elements eight at a time; the tail is padded through a lane vector.
    @inline(__always)
    static func map(_ x: UnsafeMutablePointer<Float>, count: Int, _ body: (V) -> V) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: body(v), as: V.self)
            i += 8
        }
        if i < count {
            var lane = V(repeating: 0)
            for j in 0..<(count - i) { lane[j] = x[i + j] }
            let result = body(lane)
            for j in 0..<(count - i) { x[i + j] = result[j] }
        }
    }
}
