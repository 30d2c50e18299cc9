import Foundation
import QwenAudioTensor
import QwenAudioTestSupport
import Testing

@testable import QwenAudioModels

/// A scratch model directory with the given config.json and tensors.
func scratchModel(config: [String: Any], tensors: [String: Tensor] = [:]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-audio-load-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try JSONSerialization.data(withJSONObject: config).write(to: directory.appendingPathComponent("config.json"))
    if !tensors.isEmpty {
        try SafetensorsFile.write(tensors, to: directory.appendingPathComponent("model.safetensors").path)
    }
    return directory.path
}

@Suite("Configuration and strict loading")
struct LoadingTests {
    /// Qwen/Qwen2-Audio-7B-Instruct's config.json as published (model-spec §1): text_config omits most geometry.
    nonisolated(unsafe) static let published7B: [String: Any] = [
        "architectures": ["Qwen2AudioForConditionalGeneration"], "model_type": "qwen2_audio",
        "audio_token_index": 151_646, "ignore_index": -100, "vocab_size": 156_032, "torch_dtype": "bfloat16",
        "audio_config": [
            "model_type": "qwen2_audio_encoder", "num_mel_bins": 128, "encoder_layers": 32, "encoder_attention_heads": 20,
            "encoder_ffn_dim": 5120, "d_model": 1280, "activation_function": "gelu", "scale_embedding": false,
            "max_source_positions": 1500, "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0,
            "initializer_range": 0.02,
        ],
        "text_config": [
            "model_type": "qwen2", "bos_token_id": 151_643, "eos_token_id": 151_645, "intermediate_size": 11008,
            "max_position_embeddings": 8192, "rms_norm_eps": 1e-05, "rope_theta": 10000, "sliding_window": 32768,
            "torch_dtype": "bfloat16", "use_mrope": false, "vocab_size": 156_032,
        ],
    ]

    @Test("the published 7B config resolves to transformers' values (omitted fields take Qwen2Config defaults)")
    func published() throws {
        let configuration = try Qwen2AudioConfiguration(directory: try scratchModel(config: Self.published7B))
        let text = configuration.text
        #expect(text.hiddenSize == 4096 && text.layerCount == 32 && text.headCount == 32 && text.kvHeadCount == 32)
        #expect(text.headDim == 128 && text.intermediateSize == 11008 && text.vocabSize == 156_032)
        #expect(text.rmsNormEpsilon == 1e-5 && text.ropeTheta == 10_000 && text.maxPositions == 8192)
        #expect(!text.tieWordEmbeddings)
        let encoder = configuration.encoder
        #expect(encoder.melBins == 128 && encoder.layerCount == 32 && encoder.headCount == 20)
        #expect(encoder.ffnSize == 5120 && encoder.modelSize == 1280 && encoder.headDim == 64)
        #expect(configuration.audioTokenID == 151_646)
    }

    @Test("num_key_value_heads: absent means 32, null means the attention heads (as Qwen2Config)")
    func kvHeads() throws {
        var config = Self.published7B
        var text = config["text_config"] as! [String: Any]
        text["num_attention_heads"] = 64
        config["text_config"] = text
        #expect(try Qwen2AudioConfiguration(directory: try scratchModel(config: config)).text.kvHeadCount == 32)
        text["num_key_value_heads"] = NSNull()
        config["text_config"] = text
        #expect(try Qwen2AudioConfiguration(directory: try scratchModel(config: config)).text.kvHeadCount == 64)
    }

    @Test("bad configs name the file and the field")
    func badConfig() throws {
        var config = Self.published7B
        config["architectures"] = ["LlamaForCausalLM"]
        config["model_type"] = "llama"
        #expect(throws: ModelError.self) { _ = try ModelRegistry.load(directory: try scratchModel(config: config)) }
        var text = Self.published7B["text_config"] as! [String: Any]
        text["num_key_value_heads"] = 5
        config = Self.published7B
        config["text_config"] = text
        do {
            _ = try Qwen2AudioConfiguration(directory: try scratchModel(config: config))
            Issue.record("accepted 5 KV heads for 32 heads")
        } catch {
            #expect(String(describing: error).contains("num_key_value_heads"))
            #expect(String(describing: error).contains("config.json"))
        }
    }

    @Test("a missing tensor, a wrong shape and a left-over tensor are each refused by name")
    func strict() throws {
        let fixture = TinyFixture.all["tiny-mha"]!
        let config = fixture.reference["config"] as! [String: Any]
        let source = try WeightStore(directory: fixture.modelDirectory)
        var tensors: [String: Tensor] = [:]
        for name in source.names {
            let shape = ((fixture.reference["weights"] as! [String: Any])["tensors"] as! [String: [String: Any]])[name]!["shape"]
                as! [NSNumber]
            tensors[name] = try source.take(name, shape: shape.map(\.intValue))
        }
        var missing = tensors
        missing["audio_tower.layers.1.fc2.bias"] = nil
        #expect(throws: ModelError.missingTensor(name: "audio_tower.layers.1.fc2.bias", searched: "")) {
            do {
                _ = try Qwen2AudioModel(directory: try scratchModel(config: config, tensors: missing))
            } catch ModelError.missingTensor(let name, _) {
                throw ModelError.missingTensor(name: name, searched: "")
            }
        }
        var wrong = tensors
        wrong["multi_modal_projector.linear.bias"] = Tensor.zeros([31], dtype: .bfloat16)
        do {
            _ = try Qwen2AudioModel(directory: try scratchModel(config: config, tensors: wrong))
            Issue.record("accepted a wrong shape")
        } catch {
            #expect(String(describing: error).contains("multi_modal_projector.linear.bias"))
            #expect(String(describing: error).contains("[31]") && String(describing: error).contains("[32]"))
        }
        var extra = tensors
        extra["language_model.model.layers.9.mlp.up_proj.weight"] = Tensor.zeros([4, 4], dtype: .bfloat16)
        do {
            _ = try Qwen2AudioModel(directory: try scratchModel(config: config, tensors: extra))
            Issue.record("accepted a left-over tensor")
        } catch {
            #expect(String(describing: error).contains("language_model.model.layers.9.mlp.up_proj.weight"))
        }
    }

    @Test("weights stay memory-mapped bf16: loading copies nothing")
    func mapped() throws {
        let fixture = TinyFixture.all["tiny-gqa"]!
        let model = try Qwen2AudioModel(directory: fixture.modelDirectory)
        #expect(model.decoder.embedTokens.dtype == .bfloat16)
        #expect(model.decoder.lmHead.dtype == .bfloat16)
    }
}
