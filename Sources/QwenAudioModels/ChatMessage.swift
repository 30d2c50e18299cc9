/// One turn of a conversation, as every model family's chat template reads it.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        case system, user, assistant
    }

    /// A piece of a message: text, or one audio clip (its samples travel separately, in order).
    public enum Part: Sendable, Equatable {
        case text(String)
        case audio
    }

    public var role: Role
    public var parts: [Part]

    public init(role: Role, parts: [Part]) {
        self.role = role
        self.parts = parts
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, parts: [.text(text)]) }
    public static func user(_ parts: [Part]) -> ChatMessage { ChatMessage(role: .user, parts: parts) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: .assistant, parts: [.text(text)]) }

    /// The number of audio parts.
    public var audioCount: Int { parts.filter { $0 == .audio }.count }
}
