/// `Qwen2AudioForConditionalGeneration`'s `config.json`: the audio encoder, the Qwen2 decoder and the
/// placeholder token. Port of transformers `configuration_qwen2_audio.py`, defaults included.
public struct Qwen2AudioConfiguration: Sendable, Equatable {
    public struct Encoder: Sendable, Equatable {
        public var melBins: Int
        public var layerCount: Int
        public var headCount: Int
        public var ffnSize: Int
        public var modelSize: Int
        public var maxSourcePositions: Int
        public var headDim: Int { modelSize / headCount }
    }

    public var encoder: Encoder
    public var text: Qwen2Configuration
    public var audioTokenID: Int

    public init(directory: String) throws(ModelError) {
        let json = try JSONConfig(path: directory + "/config.json")
        let architectures = (json.values["architectures"] as? [String]) ?? []
        let modelType = (json.values["model_type"] as? String) ?? ""
        guard architectures.contains("Qwen2AudioForConditionalGeneration") || modelType == "qwen2_audio" else {
            throw .unsupportedArchitecture(
                path: json.path, architectures: architectures.isEmpty ? [modelType] : architectures,
                supported: ["Qwen2AudioForConditionalGeneration"])
        }
        let audio = try json.object("audio_config") ?? JSONConfig(path: json.path + " → audio_config", values: [:])
        encoder = Encoder(
            melBins: try audio.int("num_mel_bins", default: 128),
            layerCount: try audio.int("encoder_layers", default: 32),
            headCount: try audio.int("encoder_attention_heads", default: 20),
            ffnSize: try audio.int("encoder_ffn_dim", default: 5120),
            modelSize: try audio.int("d_model", default: 1280),
            maxSourcePositions: try audio.int("max_source_positions", default: 1500)
        )
        let activation = try audio.string("activation_function", default: "gelu")
        try audio.require(activation == "gelu", "activation_function", "is '\(activation)'; the encoder uses exact GELU")
        try audio.require(!(try audio.bool("scale_embedding", default: false)), "scale_embedding", "true is not supported")
        try audio.require(encoder.headCount > 0 && encoder.modelSize % encoder.headCount == 0,
            "encoder_attention_heads", "must divide d_model")
        try audio.require(encoder.maxSourcePositions * 2 == 3000, "max_source_positions",
            "must be 1500: the encoder reads one 30 s window of 3000 mel frames")
        let textJSON = try json.object("text_config") ?? JSONConfig(path: json.path + " → text_config", values: [:])
        text = try Qwen2Configuration(textJSON, vocabFallback: try json.int("vocab_size", default: 151_936))
        audioTokenID = try json.int("audio_token_index", default: try json.int("audio_token_id", default: 151_646))
    }
}
