/// How to pick the next token and when to stop. `temperature == 0` means greedy.
public struct GenerationParameters: Sendable, Equatable {
    public var maxTokens: Int
    public var temperature: Float
    /// 0 disables top-k.
    public var topK: Int
    /// 1 disables top-p.
    public var topP: Float
    /// transformers' repetition penalty over every id in the prompt and the output; 1 disables it.
    public var repetitionPenalty: Float
    /// Subtracted once from the logit of every token already generated; 0 disables it.
    public var presencePenalty: Float
    /// The same seed with the same input gives the same output.
    public var seed: UInt64?
    /// Text that ends the answer (not included in it).
    public var stop: [String]

    public init(
        maxTokens: Int = 512, temperature: Float = 0.7, topK: Int = 20, topP: Float = 0.5,
        repetitionPenalty: Float = 1.1, presencePenalty: Float = 0, seed: UInt64? = nil, stop: [String] = []
    ) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.seed = seed
        self.stop = stop
    }

    /// Deterministic argmax decoding with no penalties: what parity tests and `--temperature 0` use.
    public static func greedy(maxTokens: Int) -> GenerationParameters {
        GenerationParameters(maxTokens: maxTokens, temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1)
    }
}

/// Why generation ended, named as both APIs name it.
public enum FinishReason: String, Sendable, Equatable, Codable {
    case stop
    case length
}

/// Token counts as DashScope reports them.
public struct Usage: Sendable, Equatable, Codable {
    /// Text tokens of the prompt (template and history included), without the audio tokens.
    public var inputTokens: Int
    public var outputTokens: Int
    /// Billed audio tokens: 25 per second, at least 25 and at most 750 per clip.
    public var audioTokens: Int

    public init(inputTokens: Int, outputTokens: Int, audioTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.audioTokens = audioTokens
    }

    /// The documented rule: 25 tokens per second of audio, a clip under one second counts as 25, and at most
    /// the 30 s the model reads (750).
    public static func billedAudioTokens(sampleCount: Int, sampleRate: Int = 16_000) -> Int {
        let perSecond = 25
        let tokens = (sampleCount * perSecond + sampleRate - 1) / sampleRate
        return min(750, max(25, tokens))
    }
}
