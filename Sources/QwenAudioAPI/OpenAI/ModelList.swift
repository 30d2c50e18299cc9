extension OpenAI {
    /// `GET /v1/models` (our choice, spec §1): `{"object":"list","data":[…]}`.
    public struct ModelList: Codable, Sendable, Equatable {
        /// `"list"`.
        public var object: String
        public var data: [Model]

        public init(data: [Model]) {
            object = "list"
            self.data = data
        }
    }

    /// One served model: `id`, `object` (`"model"`), `created`, `owned_by`, and our `description`, which says
    /// what the model can hear (a Whisper → LLM cascade hears words, not sounds or tone; DESIGN).
    public struct Model: Codable, Sendable, Equatable {
        public var id: String
        /// `"model"`.
        public var object: String
        /// Unix seconds (when the server loaded it).
        public var created: Int
        public var ownedBy: String
        /// Omitted when `nil`.
        public var description: String?

        public init(id: String, created: Int, ownedBy: String = "qwen-audio", description: String? = nil) {
            self.id = id
            object = "model"
            self.created = created
            self.ownedBy = ownedBy
            self.description = description
        }

        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
            case description
        }
    }
}
