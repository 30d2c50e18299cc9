import Foundation

/// The Qwen2 decoder's geometry, read from a `config.json` (or Qwen2-Audio's `text_config`).
///
/// Fields a config leaves out take `Qwen2Config`'s defaults (transformers `configuration_qwen2.py`): the
/// published Qwen2-Audio-7B-Instruct `text_config` omits hidden size, layer and head counts and relies on them.
public struct Qwen2Configuration: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var rmsNormEpsilon: Float
    public var ropeTheta: Double
    public var maxPositions: Int
    public var tieWordEmbeddings: Bool

    init(_ json: JSONConfig, vocabFallback: Int? = nil) throws(ModelError) {
        vocabSize = try json.int("vocab_size", default: vocabFallback ?? 151_936)
        hiddenSize = try json.int("hidden_size", default: 4096)
        intermediateSize = try json.int("intermediate_size", default: 22_016)
        layerCount = try json.int("num_hidden_layers", default: 32)
        headCount = try json.int("num_attention_heads", default: 32)
        // transformers' Qwen2Config: an absent key takes the class default (32); an explicit null means
        // "as many as the attention heads". The published 7B config omits both, giving 32 and 32.
        kvHeadCount = json.values["num_key_value_heads"] is NSNull
            ? headCount : try json.int("num_key_value_heads", default: 32)
        headDim = try json.int("head_dim", default: headCount > 0 ? hiddenSize / headCount : 0)
        rmsNormEpsilon = Float(try json.double("rms_norm_eps", default: 1e-6))
        // transformers 5 nests the base in `rope_parameters`; older files have `rope_theta`.
        if let rope = try json.object("rope_parameters") {
            ropeTheta = try rope.double("rope_theta", default: 10_000)
            let type = try rope.string("rope_type", default: "default")
            try rope.require(type == "default", "rope_type", "is '\(type)'; only the default RoPE is supported")
        } else {
            ropeTheta = try json.double("rope_theta", default: 10_000)
            if let scaling = try json.object("rope_scaling") {
                let type = try scaling.string("rope_type", default: (try? scaling.string("type")) ?? "default")
                try scaling.require(type == "default", "rope_type", "is '\(type)'; only the default RoPE is supported")
            }
        }
        maxPositions = try json.int("max_position_embeddings", default: 32_768)
        tieWordEmbeddings = try json.bool("tie_word_embeddings", default: false)
        let activation = try json.string("hidden_act", default: "silu")
        try json.require(activation == "silu", "hidden_act", "is '\(activation)'; Qwen2 uses silu")
        try json.require(hiddenSize > 0 && layerCount > 0 && intermediateSize > 0 && vocabSize > 0,
            "hidden_size", "and the layer, intermediate and vocabulary sizes must be positive")
        try json.require(headCount > 0 && kvHeadCount > 0 && headCount % kvHeadCount == 0,
            "num_key_value_heads", "(\(kvHeadCount)) must divide num_attention_heads (\(headCount))")
        try json.require(headDim > 0 && headDim % 2 == 0, "head_dim", "must be a positive even number")
    }
}
