import Foundation
public import QwenAudioModels
public import QwenAudioTokenizer

/// What one generation produced.
public struct GenerationOutput: Sendable, Equatable {
    public var text: String
    public var tokenIDs: [Int]
    public var finishReason: FinishReason
    public var usage: Usage
}

/// Runs one conversation through a model, from messages and decoded audio to streamed text.
///
/// This is the single-sequence path (`qwen-audio chat`, parity tests); the server's scheduler batches many of
/// these over the same model.
public final class Generator: @unchecked Sendable {
    // Immutable references; a Generator runs one generation at a time on the caller's thread.
    public let model: any AudioLanguageModel
    public let tokenizer: Tokenizer

    public init(model: any AudioLanguageModel, tokenizer: Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// The prompt ids with each clip's placeholder expanded, the audio embeddings, and the billed usage.
    public struct Prompt: Sendable {
        public var tokens: [Int]
        public var audio: [AudioEmbedding]
        public var textTokenCount: Int
        public var billedAudioTokens: Int
    }

    /// Renders, tokenises and encodes a conversation. `audio` holds one clip of 16 kHz samples per audio part,
    /// in order.
    public func prepare(_ messages: [ChatMessage], audio: [[Float]]) throws(EngineError) -> Prompt {
        let expected = messages.reduce(0) { $0 + $1.audioCount }
        guard expected == audio.count else {
            throw .invalidRequest("the conversation has \(expected) audio parts but \(audio.count) clips were given")
        }
        let text = model.renderPrompt(messages, addGenerationPrompt: true)
        let embeddings = audio.map { model.encodeAudio(samples: $0) }
        let ids: [Int]
        do {
            ids = try Qwen2AudioChatTemplate.expandAudioPlaceholders(
                tokenizer.encode(text), audioTokenID: model.audioTokenID, counts: embeddings.map(\.tokenCount))
        } catch {
            throw .model(error)
        }
        let audioTokens = embeddings.reduce(0) { $0 + $1.tokenCount }
        return Prompt(
            tokens: ids, audio: embeddings, textTokenCount: ids.count - audioTokens,
            billedAudioTokens: audio.reduce(0) { $0 + Usage.billedAudioTokens(sampleCount: $1.count) })
    }

    /// Generates an answer, calling `onText` with each new piece of text as soon as it is complete (never half
    /// a UTF-8 character, never a piece of a stop string) and the number of tokens generated so far. Return
    /// `false` from `onText` to cancel.
    public func generate(
        _ prompt: Prompt, parameters: GenerationParameters, onText: (String, Int) -> Bool = { _, _ in true }
    ) throws(EngineError) -> GenerationOutput {
        guard parameters.maxTokens > 0 else { throw .invalidRequest("max_tokens must be at least 1") }
        guard prompt.tokens.count + parameters.maxTokens <= model.contextLength else {
            throw .contextTooLong(promptTokens: prompt.tokens.count, maxTokens: parameters.maxTokens, limit: model.contextLength)
        }
        let cache = model.makeCache(capacity: prompt.tokens.count + parameters.maxTokens)
        var sampler = Sampler(parameters: parameters)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
        let endIDs = Set(model.generationConfig.eosTokenIDs)
        var context = prompt.tokens
        var generated: [Int] = []
        var text = ""
        var emitted = 0  // characters of `text` already passed to onText
        let holdBack = max(0, (parameters.stop.map(\.count).max() ?? 0) - 1)
        var finish = FinishReason.length
        var cutAtStopString = false

        var logits: [Float]
        do {
            logits = try model.forward(tokens: prompt.tokens, audio: prompt.audio, cache: cache, logits: .last)
        } catch {
            throw .model(error)
        }
        decoding: while generated.count < parameters.maxTokens {
            let next = sampler.next(logits: &logits, context: context, generated: generated)
            if endIDs.contains(next) {
                finish = .stop
                break
            }
            generated.append(next)
            context.append(next)
            text += detokenizer.append(next)
            if let range = parameters.stop.compactMap({ text.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
                text = String(text[..<range.lowerBound])
                finish = .stop
                cutAtStopString = true
                break decoding
            }
            let ready = text.count - holdBack
            if ready > emitted {
                let piece = String(text.dropFirst(emitted).prefix(ready - emitted))
                emitted = ready
                if !onText(piece, generated.count) { throw .cancelled }
            }
            if generated.count == parameters.maxTokens { break }
            do {
                logits = try model.forward(tokens: [next], audio: [], cache: cache, logits: .last)
            } catch {
                throw .model(error)
            }
        }
        if !cutAtStopString { text += detokenizer.finish() }
        if text.count > emitted {
            if !onText(String(text.dropFirst(emitted)), generated.count) { throw .cancelled }
        }
        return GenerationOutput(
            text: text, tokenIDs: generated, finishReason: finish,
            usage: Usage(inputTokens: prompt.textTokenCount, outputTokens: generated.count, audioTokens: prompt.billedAudioTokens))
    }
}
