import Foundation

/// The largest request body either parser reads: 16 MiB (spec §3, our choice). Inline base64 audio of 10 MB
/// and its JSON fit; more is `BadRequest.TooLarge`. The server should refuse larger bodies before reading them.
public let maxRequestBodyBytes = 16 * 1024 * 1024

/// Parses a body into a JSON object, with the §8.3 errors for oversized, malformed and non-object bodies.
func parseBodyObject(_ body: Data) throws(APIError) -> JSONValue {
    guard body.count <= maxRequestBodyBytes else { throw .tooLarge(limit: maxRequestBodyBytes) }
    let value: JSONValue
    do {
        value = try JSONValue.parse(body)
    } catch {
        throw .invalidBody("The body is not valid JSON; expected one UTF-8 JSON object.")
    }
    guard case .object = value else {
        throw .invalidBody("The body is a JSON \(value.typeName); expected a JSON object.")
    }
    return value
}

/// A short rendering of a client value for error messages (`2.5`, `"abc"`, `list`).
func describe(_ value: JSONValue) -> String {
    switch value {
    case .int(let number): String(number)
    case .double(let number): "\(number)"
    case .bool(let flag): flag ? "true" : "false"
    case .string(let text): quoted(text)
    default: value.typeName
    }
}

/// Typed access to the members of one JSON object, with errors that name `prefix + key`.
/// A member that is JSON `null` reads as absent (raw clients send `null` where the SDKs omit the key).
struct FieldReader {
    let object: JSONValue
    /// Written before each key in messages: `"parameters."` natively, `""` for OpenAI's top level.
    let prefix: String

    func field(_ key: String) -> String { prefix + key }

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            throw .invalidParameter(
                "'\(key)' must be Boolean - '\(field(key))' is \(describe(value)); expected true or false.",
                field: field(key)
            )
        }
        return flag
    }

    func double(_ key: String) throws(APIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.number else {
            throw .invalidParameter(
                "'\(key)' must be Float - '\(field(key))' is \(describe(value)); expected a number.",
                field: field(key)
            )
        }
        return number
    }

    /// An integer; a number with a fraction or beyond Int64 is refused with `rangeMessage` when given
    /// (out of range), else as a type error.
    func int(_ key: String, rangeMessage: String? = nil) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let number): return number
        case .double(let number) where number == number.rounded():
            // A whole number that does not fit Int64: out of range rather than mistyped.
            if let rangeMessage {
                throw .invalidParameter("\(rangeMessage) - '\(field(key))' is \(describe(value))", field: field(key))
            }
            fallthrough
        default:
            throw .invalidParameter(
                "'\(key)' must be Integer - '\(field(key))' is \(describe(value)); expected a whole number.",
                field: field(key)
            )
        }
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw .invalidParameter(
                "'\(key)' must be String - '\(field(key))' is \(describe(value)); expected a string.",
                field: field(key)
            )
        }
        return text
    }

    /// Refuses a feature Qwen-Audio lacks when the client turns it on (`true`); `false` is accepted and ignored.
    func refuseEnabled(_ key: String, what: String) throws(APIError) {
        if try bool(key) == true {
            throw .invalidParameter(
                "'\(field(key))' is not supported: Qwen-Audio models have no \(what). Remove it or set it to false.",
                field: field(key)
            )
        }
    }

    /// Refuses `tools` (a non-empty list) and `tool_choice` (anything but "none").
    func refuseTools() throws(APIError) {
        if let tools = value("tools"), tools != .array([]) { throw .toolCallUnsupported(field: field("tools")) }
        if let choice = value("tool_choice"), choice != .string("none") {
            throw .toolCallUnsupported(field: field("tool_choice"))
        }
    }
}

/// How a protocol bounds `seed` (spec §4.3 native, §10.1 compatible mode).
enum SeedRule {
    /// [0, Int64.max], message "Range of seed should be [0, 9223372036854775807]".
    case native
    /// [0, 2^31 − 1], jsonschema-style messages ("-1 is lesser than the minimum of 0 - 'seed'").
    case compatible
}

extension APIError {
    /// 400 "Range of max_tokens should be [1, limit]".
    static func maxTokensOutOfRange(_ value: Int, limit: Int, field: String) -> APIError {
        .invalidParameter("Range of max_tokens should be [1, \(limit)] - '\(field)' is \(value)", field: field)
    }
}

/// Reads and range-checks the sampling fields both protocols share (spec §4.3, messages from [D-ERR]).
func readSampling(
    _ reader: FieldReader,
    maxTokensKeys: [String],
    seedRule: SeedRule,
    limits: ModelLimits
) throws(APIError) -> ChatRequest.Sampling {
    var sampling = ChatRequest.Sampling()
    func fail(_ message: String, _ key: String, _ value: some CustomStringConvertible) -> APIError {
        .invalidParameter("\(message) - '\(reader.field(key))' is \(value)", field: reader.field(key))
    }

    if let value = try reader.double("temperature") {
        guard value >= 0, value < 2 else { throw fail("Temperature should be in [0.0, 2.0)", "temperature", value) }
        sampling.temperature = value
    }
    if let value = try reader.double("top_p") {
        guard value > 0, value <= 1 else { throw fail("Range of top_p should be (0.0, 1.0]", "top_p", value) }
        sampling.topP = value
    }
    if let value = try reader.int("top_k", rangeMessage: "Parameter top_k be greater than or equal to 0") {
        guard value >= 0 else { throw fail("Parameter top_k be greater than or equal to 0", "top_k", value) }
        // 0 and anything above 100 disable top-k (spec §4.3).
        sampling.topK = value == 0 || value > 100 ? nil : value
    }
    if let value = try reader.double("repetition_penalty") {
        guard value > 0 else {
            throw fail("Repetition_penalty should be greater than 0.0", "repetition_penalty", value)
        }
        sampling.repetitionPenalty = value
    }
    if let value = try reader.double("presence_penalty") {
        guard value >= -2, value <= 2 else {
            throw fail("Presence_penalty should be in [-2.0, 2.0]", "presence_penalty", value)
        }
        sampling.presencePenalty = value
    }
    for key in maxTokensKeys {
        let rangeMessage = "Range of max_tokens should be [1, \(limits.maxOutputTokens)]"
        guard let value = try reader.int(key, rangeMessage: rangeMessage) else { continue }
        guard value >= 1, value <= limits.maxOutputTokens else {
            throw .maxTokensOutOfRange(value, limit: limits.maxOutputTokens, field: reader.field(key))
        }
        sampling.maxTokens = value
        break
    }
    sampling.seed = try readSeed(reader, rule: seedRule)
    (sampling.stop, sampling.stopTokenSequences) = try readStop(reader)
    return sampling
}

private func readSeed(_ reader: FieldReader, rule: SeedRule) throws(APIError) -> UInt64? {
    let field = reader.field("seed")
    switch rule {
    case .native:
        let message = "Range of seed should be [0, 9223372036854775807]"
        guard let seed = try reader.int("seed", rangeMessage: message) else { return nil }
        guard seed >= 0 else { throw .invalidParameter("\(message) - '\(field)' is \(seed)", field: field) }
        return UInt64(seed)
    case .compatible:
        let maximum = Int(Int32.max)
        let tooLarge = "is greater than the maximum of \(maximum) - '\(field)'"
        guard let value = reader.value("seed") else { return nil }
        if case .double(let number) = value, number == number.rounded() {
            throw .invalidParameter(
                number < 0
                    ? "\(number) is lesser than the minimum of 0 - '\(field)'"
                    : "\(number) \(tooLarge)",
                field: field
            )
        }
        guard let seed = try reader.int("seed") else { return nil }
        guard seed >= 0 else {
            throw .invalidParameter("\(seed) is lesser than the minimum of 0 - '\(field)'", field: field)
        }
        guard seed <= maximum else { throw .invalidParameter("\(seed) \(tooLarge)", field: field) }
        return UInt64(seed)
    }
}

/// `stop`: a string, `list[str]`, `list[int]` (one token sequence) or `list[list[int]]`, one type per list.
private func readStop(_ reader: FieldReader) throws(APIError) -> ([String], [[Int]]) {
    guard let value = reader.value("stop") else { return ([], []) }
    let field = reader.field("stop")
    let invalid = APIError.invalidParameter(
        #"The "stop" parameter must be of type "str", "list[str]", "list[int]", or "list[list[int]]", "#
            + "and all elements within the list must be of the same type. - '\(field)' is \(describe(value))",
        field: field
    )
    switch value {
    case .string(let text):
        return (text.isEmpty ? [] : [text], [])
    case .array(let items) where items.isEmpty:
        return ([], [])
    case .array(let items):
        if let strings = items.allStrings {
            return (strings.filter { !$0.isEmpty }, [])
        }
        if let ids = items.allInts {
            return ([], [ids])
        }
        var sequences: [[Int]] = []
        for item in items {
            guard case .array(let inner) = item, let ids = inner.allInts, !ids.isEmpty else { throw invalid }
            sequences.append(ids)
        }
        return ([], sequences)
    default:
        throw invalid
    }
}

extension [JSONValue] {
    var allStrings: [String]? {
        var result: [String] = []
        for item in self {
            guard case .string(let text) = item else { return nil }
            result.append(text)
        }
        return result
    }

    var allInts: [Int]? {
        var result: [Int] = []
        for item in self {
            guard case .int(let number) = item else { return nil }
            result.append(number)
        }
        return result
    }
}

/// Checks the conversation shape both protocols share (spec §4.1): one `user` message at least, the last one
/// from the user, `system` only first. `path` renders a message index as the protocol spells it.
func checkConversation(_ messages: [APIMessage], path: (Int) -> String) throws(APIError) {
    for (index, message) in messages.enumerated() where message.role == .system && index > 0 {
        throw .invalidParameter(
            "'\(path(index)).role' is \"system\" but a system message may only be the first message; "
                + "move it to the front or merge it into the first system message.",
            field: "\(path(index)).role"
        )
    }
    guard messages.contains(where: { $0.role == .user }) else {
        throw .invalidParameter(
            "The input messages do not contain elements with the role of user. - '\(path(0).droppingIndex)' "
                + "needs at least one {\"role\": \"user\"} message.",
            field: path(0).droppingIndex
        )
    }
    if let last = messages.last, last.role != .user {
        let index = messages.count - 1
        throw .invalidParameter(
            "The last message must have the role of user - '\(path(index)).role' is \"\(last.role.rawValue)\"; "
                + "end the conversation with the user's turn.",
            field: "\(path(index)).role"
        )
    }
}

extension String {
    /// `input.messages[0]` → `input.messages`.
    fileprivate var droppingIndex: String {
        guard let bracket = lastIndex(of: "[") else { return self }
        return String(self[..<bracket])
    }
}

/// Parses a present `messages` value at `path` (`input.messages` or `messages`): a non-empty list whose items
/// `parse` reads in the protocol's own shape, then the conversation rules both protocols share.
func parseMessageList(
    _ value: JSONValue, path: String, parse: (JSONValue, String) throws(APIError) -> APIMessage
) throws(APIError) -> [APIMessage] {
    guard case .array(let items) = value else {
        throw .invalidParameter(
            "'\(path)' is \(value.withArticle); expected a list of {\"role\": …, \"content\": …} objects.",
            field: path
        )
    }
    guard !items.isEmpty else {
        throw .invalidParameter("[] is too short - '\(path)'; expected at least one user message.", field: path)
    }
    var messages: [APIMessage] = []
    for (index, item) in items.enumerated() {
        messages.append(try parse(item, "\(path)[\(index)]"))
    }
    try checkConversation(messages) { "\(path)[\($0)]" }
    return messages
}
