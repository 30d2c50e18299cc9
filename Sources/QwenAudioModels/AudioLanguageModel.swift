/// What the engine needs of a model family: turn audio into embeddings, render a conversation, and run tokens
/// through the decoder with a KV cache. A new family conforms to this and adds one line to ``ModelRegistry``.
public protocol AudioLanguageModel: AnyObject, Sendable {
    /// The model directory it was loaded from.
    var directory: String { get }
    /// The id that marks where audio rows go (`<|AUDIO|>`).
    var audioTokenID: Int { get }
    /// The most positions one sequence may hold.
    var contextLength: Int { get }
    /// Sampling defaults and end-of-sequence ids from `generation_config.json`.
    var generationConfig: GenerationConfig { get }

    /// The prompt text of a conversation, with one audio placeholder per clip.
    func renderPrompt(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String
    /// Audio embeddings for 16 kHz mono samples.
    func encodeAudio(samples: [Float]) -> AudioEmbedding
    func makeCache(capacity: Int?) -> KVCache
    /// Runs tokens (audio placeholders expanded) at the cache's next positions and returns logits.
    func forward(tokens: [Int], audio: [AudioEmbedding], cache: KVCache, logits: LogitsSelection) throws(ModelError)
        -> [Float]
}

extension Qwen2AudioModel: AudioLanguageModel {
    public var audioTokenID: Int { configuration.audioTokenID }
    public var contextLength: Int { configuration.text.maxPositions }

    public func renderPrompt(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        Qwen2AudioChatTemplate.render(messages, addGenerationPrompt: addGenerationPrompt)
    }

    public func encodeAudio(samples: [Float]) -> AudioEmbedding { encodeAudio(samples: samples, tap: nil) }

    public func forward(tokens: [Int], audio: [AudioEmbedding], cache: KVCache, logits: LogitsSelection)
        throws(ModelError) -> [Float]
    {
        try forward(tokens: tokens, audio: audio, cache: cache, logits: logits, tap: nil)
    }
}

/// Loads a model directory by the `architectures` its `config.json` names.
public enum ModelRegistry {
    /// `architectures` value → loader.
    static let families: [String: @Sendable (String) throws(ModelError) -> any AudioLanguageModel] = [
        "Qwen2AudioForConditionalGeneration": { directory throws(ModelError) in try Qwen2AudioModel(directory: directory) }
    ]

    public static var supportedArchitectures: [String] { families.keys.sorted() }

    public static func load(directory: String) throws(ModelError) -> any AudioLanguageModel {
        let config = try JSONConfig(path: directory + "/config.json")
        let architectures = (config.values["architectures"] as? [String]) ?? []
        guard let loader = architectures.lazy.compactMap({ families[$0] }).first else {
            throw .unsupportedArchitecture(path: config.path, architectures: architectures, supported: supportedArchitectures)
        }
        return try loader(directory)
    }
}

/// `generation_config.json`: the sampling defaults the model was published with, and its end ids.
public struct GenerationConfig: Sendable, Equatable {
    public var eosTokenIDs: [Int]
    public var doSample: Bool
    public var temperature: Float
    public var topK: Int
    public var topP: Float
    public var repetitionPenalty: Float

    /// Reads the file if present; Qwen2-Audio-Instruct's published values otherwise.
    public init(directory: String, fallbackEOS: [Int]) throws(ModelError) {
        let path = directory + "/generation_config.json"
        let json = try? JSONConfig(path: path)
        eosTokenIDs = json?.ints("eos_token_id") ?? fallbackEOS
        doSample = try json?.bool("do_sample", default: true) ?? true
        temperature = Float(try json?.double("temperature", default: 0.7) ?? 0.7)
        topK = try json?.int("top_k", default: 20) ?? 20
        topP = Float(try json?.double("top_p", default: 0.5) ?? 0.5)
        repetitionPenalty = Float(try json?.double("repetition_penalty", default: 1.1) ?? 1.1)
    }
}
