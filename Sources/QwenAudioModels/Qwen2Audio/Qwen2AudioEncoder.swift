// Port of transformers/models/qwen2_audio/modeling_qwen2_audio.py (Qwen2AudioEncoder): Whisper's encoder —
// conv stem, learned positions, pre-LN layers (k_proj without bias) — plus Qwen2-Audio's average pool and
// final LayerNorm.
//
// Difference from the reference, exact in result: the reference runs all 1500 positions and masks keys at or
// past L2 = (L_mel − 1) // 2 + 1. Masked keys contribute exactly zero and every other step works row by row, so
// rows past L2 cannot change the rows kept; we compute only the first L2 (a 3 s clip costs a tenth of 30 s).

import QwenAudioFeatures
import QwenAudioTensor

struct EncoderLayer {
    let attentionNorm: Tensor, attentionNormBias: Tensor
    let q: Tensor, qBias: Tensor, k: Tensor, v: Tensor, vBias: Tensor, out: Tensor, outBias: Tensor
    let finalNorm: Tensor, finalNormBias: Tensor
    let fc1: Tensor, fc1Bias: Tensor, fc2: Tensor, fc2Bias: Tensor
}

public struct Qwen2AudioEncoder {
    public let configuration: Qwen2AudioConfiguration.Encoder
    let conv1: Tensor, conv1Bias: Tensor, conv2: Tensor, conv2Bias: Tensor
    let positions: Tensor
    let layers: [EncoderLayer]
    let layerNorm: Tensor, layerNormBias: Tensor

    init(configuration c: Qwen2AudioConfiguration.Encoder, store: WeightStore, prefix: String) throws(ModelError) {
        configuration = c
        let d = c.modelSize
        conv1 = try store.take(prefix + "conv1.weight", shape: [d, c.melBins, 3])
        conv1Bias = try store.take(prefix + "conv1.bias", shape: [d])
        conv2 = try store.take(prefix + "conv2.weight", shape: [d, d, 3])
        conv2Bias = try store.take(prefix + "conv2.bias", shape: [d])
        positions = try store.take(prefix + "embed_positions.weight", shape: [c.maxSourcePositions, d])
        var layers: [EncoderLayer] = []
        for i in 0..<c.layerCount {
            let p = prefix + "layers.\(i)."
            layers.append(
                EncoderLayer(
                    attentionNorm: try store.take(p + "self_attn_layer_norm.weight", shape: [d]),
                    attentionNormBias: try store.take(p + "self_attn_layer_norm.bias", shape: [d]),
                    q: try store.take(p + "self_attn.q_proj.weight", shape: [d, d]),
                    qBias: try store.take(p + "self_attn.q_proj.bias", shape: [d]),
                    k: try store.take(p + "self_attn.k_proj.weight", shape: [d, d]),
                    v: try store.take(p + "self_attn.v_proj.weight", shape: [d, d]),
                    vBias: try store.take(p + "self_attn.v_proj.bias", shape: [d]),
                    out: try store.take(p + "self_attn.out_proj.weight", shape: [d, d]),
                    outBias: try store.take(p + "self_attn.out_proj.bias", shape: [d]),
                    finalNorm: try store.take(p + "final_layer_norm.weight", shape: [d]),
                    finalNormBias: try store.take(p + "final_layer_norm.bias", shape: [d]),
                    fc1: try store.take(p + "fc1.weight", shape: [c.ffnSize, d]),
                    fc1Bias: try store.take(p + "fc1.bias", shape: [c.ffnSize]),
                    fc2: try store.take(p + "fc2.weight", shape: [d, c.ffnSize]),
                    fc2Bias: try store.take(p + "fc2.bias", shape: [d])
                ))
        }
        self.layers = layers
        layerNorm = try store.take(prefix + "layer_norm.weight", shape: [d])
        layerNormBias = try store.take(prefix + "layer_norm.bias", shape: [d])
    }

    /// Encodes one clip's features (`[melBins, 3000]`, bin-major as the extractor writes them) with
    /// `validMelFrames` frames of audio. Returns `[audioTokens, modelSize]`: the pooled, normalised rows that
    /// hold audio.
    func callAsFunction(features: [Float], validMelFrames: Int, tap: ((String, [Float]) -> Void)? = nil) -> [Float] {
        let c = configuration, d = c.modelSize
        let totalFrames = 2 * c.maxSourcePositions
        let validRows = AudioLengths.encoderFrames(melFrames: validMelFrames)  // L2
        let tokens = AudioLengths.audioTokens(melFrames: validMelFrames)
        guard validRows > 0 else { return [] }
        let conv1Rows = min(totalFrames, 2 * validRows)  // conv2 row j reads conv1 rows 2j − 1 … 2j + 1

        // [3000, melBins], time-major for the convolutions.
        var frames = [Float](repeating: 0, count: totalFrames * c.melBins)
        for bin in 0..<c.melBins {
            for t in 0..<totalFrames { frames[t * c.melBins + bin] = features[bin * totalFrames + t] }
        }
        var h1 = [Float](repeating: 0, count: conv1Rows * d)
        var x = [Float](repeating: 0, count: validRows * d)
        frames.withUnsafeBufferPointer { f in
            h1.withUnsafeMutableBufferPointer { h1 in
                Kernels.conv1d(f.baseAddress!, inputFrames: totalFrames, inChannels: c.melBins, weight: conv1,
                    bias: conv1Bias, stride: 1, outputFrames: conv1Rows, into: h1.baseAddress!)  // [conv1Rows, d]
                Kernels.gelu(h1.baseAddress!, count: h1.count)
            }
        }
        tap?("enc_conv1_gelu", h1)
        h1.withUnsafeBufferPointer { h1 in
            x.withUnsafeMutableBufferPointer { x in
                Kernels.conv1d(h1.baseAddress!, inputFrames: conv1Rows, inChannels: d, weight: conv2,
                    bias: conv2Bias, stride: 2, outputFrames: validRows, into: x.baseAddress!)  // [L2, d]
                Kernels.gelu(x.baseAddress!, count: x.count)
            }
        }
        tap?("enc_conv2_gelu", x)
        x.withUnsafeMutableBufferPointer { x in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: validRows * d)
            defer { p.deallocate() }
            Convert.toFloat(positions, elements: 0..<validRows * d, into: p)
            for i in 0..<validRows * d { x[i] += p[i] }
        }

        let y = UnsafeMutablePointer<Float>.allocate(capacity: validRows * d)
        let q = UnsafeMutablePointer<Float>.allocate(capacity: validRows * d)
        let k = UnsafeMutablePointer<Float>.allocate(capacity: validRows * d)
        let v = UnsafeMutablePointer<Float>.allocate(capacity: validRows * d)
        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: validRows * c.ffnSize)
        defer { [y, q, k, v, hidden].forEach { $0.deallocate() } }
        let scale = 1 / Float(c.headDim).squareRoot()
        x.withUnsafeMutableBufferPointer { xb in
            let x = xb.baseAddress!
            for (index, layer) in layers.enumerated() {
                Kernels.layerNorm(x, rows: validRows, size: d, weight: layer.attentionNorm,
                    bias: layer.attentionNormBias, epsilon: 1e-5, into: y)
                Kernels.linear(y, rows: validRows, weight: layer.q, bias: layer.qBias, into: q)
                Kernels.linear(y, rows: validRows, weight: layer.k, into: k)  // no bias on k_proj
                Kernels.linear(y, rows: validRows, weight: layer.v, bias: layer.vBias, into: v)
                // The reference scales q (bias included) before q·kᵀ; scaling the scores is the same product.
                Kernels.attention(q: q, queries: validRows, k: k, v: v, keys: validRows, heads: c.headCount,
                    kvHeads: c.headCount, headDim: c.headDim, scale: scale,
                    mask: .init(validKeys: validRows), into: y)
                Kernels.linear(y, rows: validRows, weight: layer.out, bias: layer.outBias, into: x, accumulate: true)
                Kernels.layerNorm(x, rows: validRows, size: d, weight: layer.finalNorm, bias: layer.finalNormBias,
                    epsilon: 1e-5, into: y)
                Kernels.linear(y, rows: validRows, weight: layer.fc1, bias: layer.fc1Bias, into: hidden)
                Kernels.gelu(hidden, count: validRows * c.ffnSize)
                Kernels.linear(hidden, rows: validRows, weight: layer.fc2, bias: layer.fc2Bias, into: x, accumulate: true)
                if index == 0, let tap { tap("enc_layer0_out", Array(xb)) }
            }
        }
        // AvgPool1d(2, 2) over time, then the final LayerNorm, on the rows that hold audio.
        var pooled = [Float](repeating: 0, count: tokens * d)
        x.withUnsafeBufferPointer { x in
            pooled.withUnsafeMutableBufferPointer { pooled in
                Kernels.averagePool2(x.baseAddress!, frames: 2 * tokens, size: d, into: pooled.baseAddress!)
                Kernels.layerNorm(pooled.baseAddress!, rows: tokens, size: d, weight: layerNorm, bias: layerNormBias,
                    epsilon: 1e-5, into: pooled.baseAddress!)
            }
        }
        tap?("enc_last_hidden_state", pooled)
        return pooled
    }
}
