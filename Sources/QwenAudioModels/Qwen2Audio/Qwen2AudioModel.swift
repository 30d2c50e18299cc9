// Port of transformers/models/qwen2_audio/modeling_qwen2_audio.py (Qwen2AudioForConditionalGeneration):
// encoder → projector → audio rows spliced over the expanded <|AUDIO|> placeholders → Qwen2 decoder.

public import QwenAudioFeatures
public import QwenAudioTensor

/// A loaded Qwen2-Audio model. Weights are memory-mapped and read in their stored type.
public final class Qwen2AudioModel: @unchecked Sendable {
    // Immutable after load; forward passes only read the weights.
    public let configuration: Qwen2AudioConfiguration
    public let directory: String
    let encoder: Qwen2AudioEncoder
    let projector: Tensor, projectorBias: Tensor
    public let decoder: Qwen2Decoder
    public let featureExtractor: LogMelSpectrogram
    public let generationConfig: GenerationConfig

    public init(directory: String) throws(ModelError) {
        self.directory = directory
        configuration = try Qwen2AudioConfiguration(directory: directory)
        let store = try WeightStore(directory: directory)
        encoder = try Qwen2AudioEncoder(configuration: configuration.encoder, store: store, prefix: "audio_tower.")
        projector = try store.take(
            "multi_modal_projector.linear.weight",
            shape: [configuration.text.hiddenSize, configuration.encoder.modelSize])
        projectorBias = try store.take("multi_modal_projector.linear.bias", shape: [configuration.text.hiddenSize])
        decoder = try Qwen2Decoder(
            configuration: configuration.text, store: store, prefix: "language_model.model.",
            headName: "language_model.lm_head.weight")
        try store.assertAllConsumed()
        featureExtractor = LogMelSpectrogram(melBins: configuration.encoder.melBins)
        // <|endoftext|> and <|im_end|> end a turn when the directory has no generation_config.json.
        generationConfig = try GenerationConfig(directory: directory, fallbackEOS: [151_643, 151_645])
    }

    /// Audio embeddings `[audioTokens, hidden]` for 16 kHz mono samples (the first 30 s are used).
    public func encodeAudio(samples: [Float], tap: ((String, [Float]) -> Void)? = nil) -> AudioEmbedding {
        let features = featureExtractor(samples)
        return encodeAudio(features: features.values, validMelFrames: features.validFrames, tap: tap)
    }

    /// Audio embeddings from log-mel features `[melBins, 3000]`.
    public func encodeAudio(features: [Float], validMelFrames: Int, tap: ((String, [Float]) -> Void)? = nil)
        -> AudioEmbedding
    {
        let encoded = encoder(features: features, validMelFrames: validMelFrames, tap: tap)
        let tokens = encoded.count / configuration.encoder.modelSize
        var projected = [Float](repeating: 0, count: tokens * configuration.text.hiddenSize)
        if tokens > 0 {
            encoded.withUnsafeBufferPointer { x in
                projected.withUnsafeMutableBufferPointer { out in
                    Kernels.linear(x.baseAddress!, rows: tokens, weight: projector, bias: projectorBias, into: out.baseAddress!)
                }
            }
        }
        tap?("audio_features", projected)
        return AudioEmbedding(values: projected, tokenCount: tokens)
    }

    public func makeCache(capacity: Int? = nil) -> KVCache { decoder.makeCache(capacity: capacity) }

    /// Runs prompt tokens whose `<|AUDIO|>` placeholders (already expanded, one per audio token) take the audio
    /// rows in order. Returns logits for the selected positions.
    public func forward(
        tokens: [Int], audio: [AudioEmbedding], cache: KVCache, logits: LogitsSelection = .last,
        tap: ((String, [Float]) -> Void)? = nil
    ) throws(ModelError) -> [Float] {
        let hidden = configuration.text.hiddenSize
        var embeddings = decoder.embed(tokens.map { min(max($0, 0), configuration.text.vocabSize - 1) })
        let placeholders = tokens.indices.filter { tokens[$0] == configuration.audioTokenID }
        let audioRows = audio.reduce(0) { $0 + $1.tokenCount }
        guard placeholders.count == audioRows else {
            throw .audioTokenMismatch(placeholders: placeholders.count, audioTokens: audioRows)
        }
        var row = 0
        for clip in audio {
            for r in 0..<clip.tokenCount {
                let position = placeholders[row]
                for j in 0..<hidden { embeddings[position * hidden + j] = clip.values[r * hidden + j] }
                row += 1
            }
        }
        tap?("lm_inputs_embeds", embeddings)
        return try decoder.forward(embeddings: embeddings, cache: cache, logits: logits, tap: tap)
    }
}

/// One clip's projected audio rows, ready to take the place of its `<|AUDIO|>` tokens.
public struct AudioEmbedding: Sendable {
    /// `[tokenCount, hidden]`.
    public let values: [Float]
    public let tokenCount: Int

    public init(values: [Float], tokenCount: Int) {
        self.values = values
        self.tokenCount = tokenCount
    }
}
