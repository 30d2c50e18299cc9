// Port of transformers/models/qwen2/modeling_qwen2.py (Qwen2Model + lm_head), for one sequence with a KV cache.
// Weights stay as stored (bf16, memory-mapped) and are read by the kernels; nothing is fused or copied at load.

import QwenAudioTensor

/// The keys and values of every layer for one sequence, in Float32, RoPE already applied to the keys.
public final class KVCache {
    public let layerCount: Int
    public let capacity: Int
    let rowSize: Int
    var keys: [UnsafeMutablePointer<Float>]
    var values: [UnsafeMutablePointer<Float>]
    /// Positions filled so far.
    public internal(set) var count = 0

    init(layerCount: Int, capacity: Int, kvHeads: Int, headDim: Int) {
        self.layerCount = layerCount
        self.capacity = capacity
        rowSize = kvHeads * headDim
        keys = (0..<layerCount).map { _ in .allocate(capacity: capacity * kvHeads * headDim) }
        values = (0..<layerCount).map { _ in .allocate(capacity: capacity * kvHeads * headDim) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Forgets every position after the first `count` (a shorter shared prefix).
    public func truncate(to count: Int) { self.count = min(self.count, max(count, 0)) }
}

/// Which positions of a forward pass need logits.
public enum LogitsSelection: Sendable {
    case last
    case all
    case none
}

struct Qwen2Layer {
    let inputNorm: Tensor, postAttentionNorm: Tensor
    let q: Tensor, qBias: Tensor, k: Tensor, kBias: Tensor, v: Tensor, vBias: Tensor, o: Tensor
    let gate: Tensor, up: Tensor, down: Tensor
}

/// The Qwen2 language model: token embeddings, decoder layers, final norm, output head.
public struct Qwen2Decoder {
    public let configuration: Qwen2Configuration
    let embedTokens: Tensor
    let layers: [Qwen2Layer]
    let norm: Tensor
    let lmHead: Tensor

    /// Binds the weights under `prefix` (`model.` for Qwen2ForCausalLM, `language_model.model.` inside
    /// Qwen2-Audio); `headName` is the output projection's key.
    init(configuration c: Qwen2Configuration, store: WeightStore, prefix: String, headName: String) throws(ModelError) {
        configuration = c
        let d = c.hiddenSize, qSize = c.headCount * c.headDim, kvSize = c.kvHeadCount * c.headDim
        embedTokens = try store.take(prefix + "embed_tokens.weight", shape: [c.vocabSize, d])
        var layers: [Qwen2Layer] = []
        for i in 0..<c.layerCount {
            let p = prefix + "layers.\(i)."
            layers.append(
                Qwen2Layer(
                    inputNorm: try store.take(p + "input_layernorm.weight", shape: [d]),
                    postAttentionNorm: try store.take(p + "post_attention_layernorm.weight", shape: [d]),
                    q: try store.take(p + "self_attn.q_proj.weight", shape: [qSize, d]),
                    qBias: try store.take(p + "self_attn.q_proj.bias", shape: [qSize]),
                    k: try store.take(p + "self_attn.k_proj.weight", shape: [kvSize, d]),
                    kBias: try store.take(p + "self_attn.k_proj.bias", shape: [kvSize]),
                    v: try store.take(p + "self_attn.v_proj.weight", shape: [kvSize, d]),
                    vBias: try store.take(p + "self_attn.v_proj.bias", shape: [kvSize]),
                    o: try store.take(p + "self_attn.o_proj.weight", shape: [d, qSize]),
                    gate: try store.take(p + "mlp.gate_proj.weight", shape: [c.intermediateSize, d]),
                    up: try store.take(p + "mlp.up_proj.weight", shape: [c.intermediateSize, d]),
                    down: try store.take(p + "mlp.down_proj.weight", shape: [d, c.intermediateSize])
                ))
        }
        self.layers = layers
        norm = try store.take(prefix + "norm.weight", shape: [d])
        lmHead = c.tieWordEmbeddings ? embedTokens : try store.take(headName, shape: [c.vocabSize, d])
    }

    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(
            layerCount: configuration.layerCount, capacity: capacity ?? configuration.maxPositions,
            kvHeads: configuration.kvHeadCount, headDim: configuration.headDim)
    }

    /// Token embeddings `[ids.count, hidden]`.
    public func embed(_ ids: [Int]) -> [Float] {
        let d = configuration.hiddenSize
        var out = [Float](repeating: 0, count: ids.count * d)
        out.withUnsafeMutableBufferPointer { out in
            for (row, id) in ids.enumerated() {
                Convert.toFloat(embedTokens, elements: id * d..<(id + 1) * d, into: out.baseAddress! + row * d)
            }
        }
        return out
    }

    /// Runs `embeddings` (`[rows, hidden]`) at positions `cache.count…` and appends their keys and values.
    /// Returns logits `[selected rows, vocab]`. `tap` receives named intermediates for parity tests.
    public func forward(
        embeddings: [Float], cache: KVCache, logits selection: LogitsSelection = .last,
        tap: ((String, [Float]) -> Void)? = nil
    ) throws(ModelError) -> [Float] {
        let c = configuration
        let d = c.hiddenSize, rows = embeddings.count / d
        let qSize = c.headCount * c.headDim, kvSize = c.kvHeadCount * c.headDim
        let start = cache.count
        guard start + rows <= cache.capacity else {
            throw .contextTooLong(tokens: start + rows, limit: cache.capacity)
        }
        var x = embeddings
        let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * d)
        let q = UnsafeMutablePointer<Float>.allocate(capacity: rows * qSize)
        let attention = UnsafeMutablePointer<Float>.allocate(capacity: rows * qSize)
        let gate = UnsafeMutablePointer<Float>.allocate(capacity: rows * c.intermediateSize)
        let up = UnsafeMutablePointer<Float>.allocate(capacity: rows * c.intermediateSize)
        defer { [y, q, attention, gate, up].forEach { $0.deallocate() } }

        x.withUnsafeMutableBufferPointer { xb in
            let x = xb.baseAddress!
            for (index, layer) in layers.enumerated() {
                // Attention block.
                Kernels.rmsNorm(x, rows: rows, size: d, weight: layer.inputNorm, epsilon: c.rmsNormEpsilon, into: y)
                Kernels.linear(y, rows: rows, weight: layer.q, bias: layer.qBias, into: q)  // [rows, heads·headDim]
                let k = cache.keys[index] + start * kvSize, v = cache.values[index] + start * kvSize
                Kernels.linear(y, rows: rows, weight: layer.k, bias: layer.kBias, into: k)  // [rows, kvHeads·headDim]
                Kernels.linear(y, rows: rows, weight: layer.v, bias: layer.vBias, into: v)
                Kernels.rope(q, rows: rows, heads: c.headCount, headDim: c.headDim, startPosition: start, theta: c.ropeTheta)
                Kernels.rope(k, rows: rows, heads: c.kvHeadCount, headDim: c.headDim, startPosition: start, theta: c.ropeTheta)
                Kernels.attention(
                    q: q, queries: rows, k: cache.keys[index], v: cache.values[index], keys: start + rows,
                    heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim,
                    scale: 1 / Float(c.headDim).squareRoot(),
                    mask: .init(validKeys: start + rows, causalOffset: start), into: attention)
                Kernels.linear(attention, rows: rows, weight: layer.o, into: x, accumulate: true)  // x += o(attn)
                // MLP block.
                Kernels.rmsNorm(x, rows: rows, size: d, weight: layer.postAttentionNorm, epsilon: c.rmsNormEpsilon, into: y)
                Kernels.linear(y, rows: rows, weight: layer.gate, into: gate)  // [rows, intermediate]
                Kernels.linear(y, rows: rows, weight: layer.up, into: up)
                Kernels.siluMultiply(gate, up, count: rows * c.intermediateSize)
                Kernels.linear(gate, rows: rows, weight: layer.down, into: x, accumulate: true)  // x += down(·)
                if let tap { tap("lm_layer\(index)_out", Array(xb)) }
            }
            Kernels.rmsNorm(x, rows: rows, size: d, weight: norm, epsilon: c.rmsNormEpsilon, into: x)
        }
        cache.count = start + rows
        tap?("lm_final_hidden", x)

        let selected: Range<Int>
        switch selection {
        case .last: selected = (rows - 1)..<rows
        case .all: selected = 0..<rows
        case .none: return []
        }
        var logits = [Float](repeating: 0, count: selected.count * c.vocabSize)
        x.withUnsafeBufferPointer { x in
            logits.withUnsafeMutableBufferPointer { out in
                Kernels.linear(
                    x.baseAddress! + selected.lowerBound * d, rows: selected.count, weight: lmHead,
                    into: out.baseAddress!)
            }
        }
        return logits
    }
}
