public import Foundation

/// One Server-Sent Event as the DashScope service frames it (spec §6.1): each present field on its own line,
/// in the order `id`, `event`, `status`, comment, `data`, **no space after the colon**, `\n` line ends, and a
/// blank line after. `data` must be a single line (one compact JSON object).
///
/// ```
/// id:1
/// event:result
/// :HTTP_STATUS/200
/// data:{"output":…}
///
/// ```
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    /// The `status:` field the DashScope SDK reads for error events (spec §6.4).
    public var status: Int?
    /// A comment line (`:HTTP_STATUS/200`), ignored by parsers.
    public var comment: String?
    public var data: String

    public init(id: String? = nil, event: String? = nil, status: Int? = nil, comment: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.status = status
        self.comment = comment
        self.data = data
    }

    /// The exact text of the event, blank line included.
    public var text: String {
        var out = ""
        if let id { out += "id:\(id)\n" }
        if let event { out += "event:\(event)\n" }
        if let status { out += "status:\(status)\n" }
        if let comment { out += ":\(comment)\n" }
        // A newline inside data would split the JSON over two `data:` lines, which the SDK reads as two
        // broken messages (spec §6.1); compact JSON never has one, other text gets one line per `data:`.
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { out += "data:\(line)\n" }
        return out + "\n"
    }

    /// ``text`` as UTF-8 bytes.
    public var bytes: Data { Data(text.utf8) }

    /// A heartbeat comment (`:\n\n`) that keeps a connection alive during a long prefill (spec §2).
    public static let heartbeat = Data(":\n\n".utf8)
}
