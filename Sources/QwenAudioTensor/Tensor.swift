/// Memory that backs tensors: either owned (allocated here) or a region of a memory-mapped file.
///
/// A `Tensor` keeps its storage alive; mapped weights are never copied, so a bf16 checkpoint costs its file
/// size in page cache, not twice that in Float32.
public final class Storage: @unchecked Sendable {
    // Immutable after init; the memory is written only through `Tensor.owned` before the tensor is shared.
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int
    /// What keeps borrowed memory alive; `nil` when this storage allocated the memory itself.
    private let owner: (any AnyObject & Sendable)?

    /// Allocates zeroed, 64-byte aligned memory.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        owner = nil
    }

    /// Wraps memory owned elsewhere (a mapped file), kept alive by `owner`.
    public init(borrowing base: UnsafeMutableRawPointer, byteCount: Int, owner: any AnyObject & Sendable) {
        self.base = base
        self.byteCount = byteCount
        self.owner = owner
    }

    deinit {
        if owner == nil { base.deallocate() }
    }
}

/// A dense, row-major tensor: shape, element type and a view into `Storage`.
public struct Tensor: Sendable {
    public let shape: [Int]
    public let dtype: DType
    public let storage: Storage
    /// Byte offset of the first element in `storage`.
    public let offset: Int

    public init(shape: [Int], dtype: DType, storage: Storage, offset: Int = 0) {
        precondition(offset + shape.reduce(1, *) * dtype.size <= storage.byteCount, "tensor view exceeds its storage")
        self.shape = shape
        self.dtype = dtype
        self.storage = storage
        self.offset = offset
    }

    /// A new zeroed Float32 tensor.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, dtype: dtype, storage: Storage(byteCount: shape.reduce(1, *) * dtype.size))
    }

    /// A Float32 tensor holding `values`.
    public init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        let storage = Storage(byteCount: values.count * 4)
        values.withUnsafeBytes { storage.base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        self.init(shape: shape, dtype: .float32, storage: storage)
    }

    public var count: Int { shape.reduce(1, *) }
    public var byteCount: Int { count * dtype.size }
    public var rawPointer: UnsafeMutableRawPointer { storage.base + offset }

    /// Float32 elements; the tensor must be Float32.
    public var floats: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "expected a Float32 tensor, got \(dtype)")
        return rawPointer.assumingMemoryBound(to: Float.self)
    }

    /// Every element widened to Float32 (a copy).
    public func toFloatArray() -> [Float] {
        var result = [Float](repeating: 0, count: count)
        result.withUnsafeMutableBufferPointer { out in
            Convert.toFloat(self, elements: 0..<count, into: out.baseAddress!)
        }
        return result
    }

    /// Row `index` of a 2-D tensor as a view.
    public func row(_ index: Int) -> Tensor {
        precondition(shape.count == 2 && index >= 0 && index < shape[0])
        return Tensor(shape: [shape[1]], dtype: dtype, storage: storage, offset: offset + index * shape[1] * dtype.size)
    }

    /// The same elements with another shape.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, dtype: dtype, storage: storage, offset: offset)
    }
}

/// Widening of stored elements to Float32.
public enum Convert {
    /// Writes elements `range` of `tensor` (flat index) as Float32 to `out`.
    public static func toFloat(_ tensor: Tensor, elements range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let base = tensor.rawPointer
        switch tensor.dtype {
        case .float32:
            out.update(from: base.assumingMemoryBound(to: Float.self) + range.lowerBound, count: range.count)
        case .bfloat16:
            let source = base.assumingMemoryBound(to: UInt16.self) + range.lowerBound
            Kernels.widenBFloat16(source, into: out, count: range.count)
        case .float16:
            let source = base.assumingMemoryBound(to: UInt16.self) + range.lowerBound
            for i in 0..<range.count { out[i] = HalfPrecision.float(fromFloat16: source[i]) }
        case .int32:
            let source = base.assumingMemoryBound(to: Int32.self) + range.lowerBound
            for i in 0..<range.count { out[i] = Float(source[i]) }
        case .int64:
            let source = base.assumingMemoryBound(to: Int64.self) + range.lowerBound
            for i in 0..<range.count { out[i] = Float(source[i]) }
        }
    }
}
