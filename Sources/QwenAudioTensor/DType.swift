/// Element types of stored tensors. Activations are always Float32; weights may stay in their stored type
/// until a kernel reads them.
public enum DType: String, Sendable, Equatable, CaseIterable {
    case float32 = "F32"
    case bfloat16 = "BF16"
    case float16 = "F16"
    case int32 = "I32"
    case int64 = "I64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32, .int32: 4
        case .bfloat16, .float16: 2
        case .int64: 8
        }
    }

    /// Whether kernels can read this type as a floating-point weight.
    public var isFloatingPoint: Bool { self == .float32 || self == .bfloat16 || self == .float16 }
}

/// Conversions between Float32 and the 16-bit storage types.
public enum HalfPrecision {
    /// bfloat16 → Float32 is exact: the 16 bits are the top half of the Float32.
    @inline(__always)
    public static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Float32 → bfloat16 with round-to-nearest-even (as torch does).
    @inline(__always)
    public static func bfloat16(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x40) }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    @inline(__always)
    public static func float(fromFloat16 bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }
}
