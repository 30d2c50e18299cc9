import Foundation
public import QwenAudioTensor

/// The tensors of a model directory (one `model.safetensors` or the shards named by
/// `model.safetensors.index.json`), bound strictly: every tensor a model takes must exist with the expected
/// shape, and after loading nothing may be left over.
public final class WeightStore {
    public let directory: String
    private var tensors: [String: (tensor: Tensor, file: String)] = [:]
    private var taken: Set<String> = []

    public init(directory: String) throws(ModelError) {
        self.directory = directory
        let fileManager = FileManager.default
        let index = directory + "/model.safetensors.index.json"
        var files: [String]
        if fileManager.fileExists(atPath: index) {
            guard let data = fileManager.contents(atPath: index),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let weightMap = json["weight_map"] as? [String: String]
            else {
                throw .invalidJSON(path: index, reason: "expected an object with a 'weight_map' of tensor name → file")
            }
            files = Array(Set(weightMap.values)).sorted()
        } else if fileManager.fileExists(atPath: directory + "/model.safetensors") {
            files = ["model.safetensors"]
        } else {
            throw .missingFile(
                path: directory + "/model.safetensors",
                hint: "A model directory holds model.safetensors, or shards with model.safetensors.index.json.")
        }
        for file in files {
            let path = directory + "/" + file
            guard fileManager.fileExists(atPath: path) else {
                throw .missingFile(path: path, hint: "model.safetensors.index.json names it; the download is incomplete.")
            }
            let loaded = try SafetensorsFile(path: path)
            for (name, tensor) in loaded.tensors { tensors[name] = (tensor, file) }
        }
    }

    /// Names of every tensor in the checkpoint.
    public var names: [String] { tensors.keys.sorted() }

    /// Takes a floating-point tensor with the expected shape.
    public func take(_ name: String, shape: [Int]) throws(ModelError) -> Tensor {
        guard let (tensor, file) = tensors[name] else {
            throw .missingTensor(name: name, searched: directory)
        }
        guard tensor.dtype.isFloatingPoint else { throw .tensorType(name: name, file: file, dtype: tensor.dtype.rawValue) }
        guard tensor.shape == shape else { throw .tensorShape(name: name, file: file, shape: tensor.shape, expected: shape) }
        taken.insert(name)
        return tensor
    }

    /// Fails when the checkpoint holds tensors no layer took.
    public func assertAllConsumed() throws(ModelError) {
        let unused = tensors.keys.filter { !taken.contains($0) }.sorted()
        if !unused.isEmpty { throw .unusedTensors(names: unused, directory: directory) }
    }
}
