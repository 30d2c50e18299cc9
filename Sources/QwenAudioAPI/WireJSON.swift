public import Foundation

/// Renders `Encodable` wire types as compact JSON with keys in the order each type encodes them.
///
/// Foundation's `JSONEncoder` on Linux writes object keys in hash order; the DashScope and OpenAI examples
/// in the protocol spec have a fixed order (`output`, `usage`, `request_id`; `id`, `object`, `created`, ...),
/// and SSE consumers compare frames by eye and in tests. Synthesised `Encodable` conformances encode in
/// `CodingKeys` declaration order, so this encoder reproduces the documented bodies byte for byte.
///
/// ```swift
/// let body: Data = WireJSON.data(response)   // {"output":{...},"usage":{...},"request_id":"..."}
/// ```
public enum WireJSON {
    /// The value as a ``JSONValue`` tree, keys in encoding order.
    /// - Throws: whatever the value's own `encode(to:)` throws; the types of this module never throw.
    public static func value(_ value: some Encodable) throws -> JSONValue {
        try OrderedEncoder.box(value, codingPath: []).resolved
    }

    /// The compact UTF-8 JSON of a wire type (no whitespace, `/` and non-ASCII unescaped).
    ///
    /// A value whose custom `encode(to:)` throws renders as `null`; no type in this module does.
    public static func data(_ value: some Encodable) -> Data {
        ((try? Self.value(value)) ?? .null).serialized
    }

    /// ``data(_:)`` as a `String`.
    public static func string(_ value: some Encodable) -> String {
        ((try? Self.value(value)) ?? .null).serializedString
    }
}

// MARK: - The encoder

private final class ObjectRef {
    var members: [(key: String, slot: Slot)] = []

    func set(_ key: String, _ slot: Slot) {
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].slot = slot
        } else {
            members.append((key, slot))
        }
    }
}

private final class ArrayRef {
    var items: [Slot] = []
}

private enum Slot {
    case value(JSONValue)
    case object(ObjectRef)
    case array(ArrayRef)
    case deferred(OrderedEncoder)

    var resolved: JSONValue {
        switch self {
        case .value(let value): value
        case .object(let object): .object(object.members.map { (key: $0.key, value: $0.slot.resolved) })
        case .array(let array): .array(array.items.map(\.resolved))
        case .deferred(let encoder): (encoder.slot ?? .object(ObjectRef())).resolved
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private final class OrderedEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var slot: Slot?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    static func box(_ value: some Encodable, codingPath: [any CodingKey]) throws -> Slot {
        switch value {
        case let value as JSONValue: return .value(value)
        case let value as String: return .value(.string(value))
        case let value as Bool: return .value(.bool(value))
        case let value as Int: return .value(.int(value))
        case let value as Int64: return .value(.int(Int(value)))
        case let value as Int32: return .value(.int(Int(value)))
        case let value as UInt64 where value <= UInt64(Int.max): return .value(.int(Int(value)))
        case let value as UInt32: return .value(.int(Int(value)))
        case let value as Double: return .value(.double(value))
        case let value as Float: return .value(.double(Double(value)))
        default:
            let child = OrderedEncoder(codingPath: codingPath)
            try value.encode(to: child)
            return child.slot ?? .object(ObjectRef())
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectRef
        if case .object(let existing)? = slot {
            object = existing
        } else {
            object = ObjectRef()
            slot = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayRef
        if case .array(let existing)? = slot {
            array = existing
        } else {
            array = ArrayRef()
            slot = .array(array)
        }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(encoder: self)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectRef
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        object.set(key.stringValue, .value(.null))
    }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        object.set(key.stringValue, try OrderedEncoder.box(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectRef()
        object.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayRef()
        object.set(key.stringValue, .array(nested))
        return UnkeyedContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(named: "super")
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key.stringValue)
    }

    private func superEncoder(named name: String) -> any Encoder {
        let encoder = OrderedEncoder(codingPath: codingPath)
        object.set(name, .deferred(encoder))
        return encoder
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: ArrayRef
    let codingPath: [any CodingKey]
    var count: Int { array.items.count }

    mutating func encodeNil() throws {
        array.items.append(.value(.null))
    }

    mutating func encode(_ value: some Encodable) throws {
        array.items.append(try OrderedEncoder.box(value, codingPath: codingPath + [IndexKey(count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectRef()
        let path = codingPath + [IndexKey(count)]
        array.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayRef()
        let path = codingPath + [IndexKey(count)]
        array.items.append(.array(nested))
        return UnkeyedContainer(array: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = OrderedEncoder(codingPath: codingPath + [IndexKey(count)])
        array.items.append(.deferred(encoder))
        return encoder
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: OrderedEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws {
        encoder.slot = .value(.null)
    }

    mutating func encode(_ value: some Encodable) throws {
        encoder.slot = try OrderedEncoder.box(value, codingPath: codingPath)
    }
}
