import Foundation

/// Reads `config.json`-style files with field-level errors (the file and key are always named).
struct JSONConfig {
    let path: String
    let values: [String: Any]

    init(path: String) throws(ModelError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .missingFile(path: path, hint: "Point --model at a Hugging Face model directory.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied")
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ModelError.invalidJSON(path: path, reason: "the top level is not an object")
            }
            values = object
        } catch let error as ModelError {
            throw error
        } catch {
            throw .invalidJSON(path: path, reason: "\(error.localizedDescription)")
        }
        self.path = path
    }

    init(path: String, values: [String: Any]) {
        self.path = path
        self.values = values
    }

    func object(_ key: String) throws(ModelError) -> JSONConfig? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        guard let object = value as? [String: Any] else {
            throw .invalidConfig(path: path, field: key, reason: "must be an object")
        }
        return JSONConfig(path: path + " → " + key, values: object)
    }

    func int(_ key: String, default fallback: Int? = nil) throws(ModelError) -> Int {
        if let value = values[key], !(value is NSNull) {
            guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded() else {
                throw .invalidConfig(path: path, field: key, reason: "must be an integer, got \(value)")
            }
            return number.intValue
        }
        guard let fallback else { throw .invalidConfig(path: path, field: key, reason: "is missing") }
        return fallback
    }

    func double(_ key: String, default fallback: Double? = nil) throws(ModelError) -> Double {
        if let value = values[key], !(value is NSNull) {
            guard let number = value as? NSNumber else {
                throw .invalidConfig(path: path, field: key, reason: "must be a number, got \(value)")
            }
            return number.doubleValue
        }
        guard let fallback else { throw .invalidConfig(path: path, field: key, reason: "is missing") }
        return fallback
    }

    func bool(_ key: String, default fallback: Bool) throws(ModelError) -> Bool {
        guard let value = values[key], !(value is NSNull) else { return fallback }
        guard let flag = value as? Bool else { throw .invalidConfig(path: path, field: key, reason: "must be true or false") }
        return flag
    }

    func string(_ key: String, default fallback: String? = nil) throws(ModelError) -> String {
        if let value = values[key], !(value is NSNull) {
            guard let text = value as? String else { throw .invalidConfig(path: path, field: key, reason: "must be a string") }
            return text
        }
        guard let fallback else { throw .invalidConfig(path: path, field: key, reason: "is missing") }
        return fallback
    }

    func ints(_ key: String) -> [Int]? {
        if let list = values[key] as? [NSNumber] { return list.map(\.intValue) }
        if let single = values[key] as? NSNumber { return [single.intValue] }
        return nil
    }

    func require(_ condition: Bool, _ field: String, _ reason: String) throws(ModelError) {
        if !condition { throw .invalidConfig(path: path, field: field, reason: reason) }
    }
}
