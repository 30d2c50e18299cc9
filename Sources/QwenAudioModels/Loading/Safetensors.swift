import Foundation
public import QwenAudioTensor

#if canImport(Glibc)
import Glibc
#endif

/// A memory-mapped file. Tensors that view it keep it mapped.
public final class MappedFile: @unchecked Sendable {
    // Read-only after init; the mapping itself is never written.
    public let path: String
    public let base: UnsafeMutableRawPointer
    public let size: Int

    public init(path: String) throws(ModelError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        size = Int(info.st_size)
        guard size > 0 else { throw .invalidSafetensors(path: path, reason: "the file is empty") }
        // Private, read-only: pages come from the page cache and are never duplicated.
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw .unreadableFile(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = mapped
    }

    deinit { munmap(base, size) }
}

/// One `.safetensors` file: an 8-byte little-endian header length, a JSON header of
/// `name → {dtype, shape, data_offsets}`, then the data. Tensors are views into the mapping.
public struct SafetensorsFile: Sendable {
    public let path: String
    public let tensors: [String: Tensor]
    public let metadata: [String: String]

    public init(path: String) throws(ModelError) {
        self.path = path
        let file = try MappedFile(path: path)
        guard file.size >= 8 else { throw .invalidSafetensors(path: path, reason: "shorter than its 8-byte header length") }
        let headerLength = Int(file.base.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 0, headerLength <= file.size - 8, headerLength < 100_000_000 else {
            throw .invalidSafetensors(path: path, reason: "header length \(headerLength) does not fit the file")
        }
        let header = Data(bytes: file.base + 8, count: headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw .invalidSafetensors(path: path, reason: "the header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                offsets.count == 2
            else {
                throw .invalidSafetensors(path: path, reason: "entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw .tensorType(name: name, file: path, dtype: dtypeName)
            }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] - offsets[0] == count * dtype.size, dataStart + offsets[1] <= file.size
            else {
                throw .invalidSafetensors(path: path, reason: "tensor '\(name)' \(shape) \(dtypeName) has data_offsets \(offsets) outside the file or of the wrong size")
            }
            let storage = Storage(borrowing: file.base + dataStart, byteCount: file.size - dataStart, owner: file)
            tensors[name] = Tensor(shape: shape, dtype: dtype, storage: storage, offset: offsets[0])
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Writes tensors as a safetensors file (names sorted, data 8-byte aligned).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            header[name] = ["dtype": tensor.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + tensor.byteCount]]
            offset += tensor.byteCount
        }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
        var output = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(headerData)
        for name in names {
            let tensor = tensors[name]!
            output.append(Data(bytes: tensor.rawPointer, count: tensor.byteCount))
        }
        try output.write(to: URL(fileURLWithPath: path))
    }
}
