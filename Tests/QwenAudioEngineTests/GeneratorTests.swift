import Foundation
import QwenAudioFeatures
import QwenAudioModels
import QwenAudioTestSupport
import QwenAudioTokenizer
import Testing

@testable import QwenAudioEngine

/// The tiny fixture model with the real Qwen tokenizer (`.cache/tokenizer`, made by
/// `Tools/make_tokenizer_files.py`, which `.ci/run` runs).
enum TinyEngine {
    static let generator: Generator = {
        let fixture = TinyFixture.all["tiny-mha"]!
        let tokenizerDirectory = TestPaths.tokenizerDirectory
        precondition(
            FileManager.default.fileExists(atPath: tokenizerDirectory.appendingPathComponent("tokenizer.json").path),
            "no tokenizer at \(tokenizerDirectory.path): run `python3 Tools/make_tokenizer_files.py .cache/tokenizer`")
        let model = try! Qwen2AudioModel(directory: fixture.modelDirectory)
        let tokenizer = try! Tokenizer(directory: URL(fileURLWithPath: fixture.modelDirectory))
        return Generator(model: model, tokenizer: tokenizer)
    }()
}

struct ChatTemplateCase: Decodable, CustomTestStringConvertible, Sendable {
    struct Message: Decodable, Sendable {
        var role: String
        var content: Content
    }

    enum Content: Decodable, Sendable {
        case text(String)
        case parts([[String: String]])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([[String: String]].self))
            }
        }
    }

    var name: String
    var messages: [Message]
    var audioSamples: [Int]
    var text: String
    var inputIDs: [Int]

    enum CodingKeys: String, CodingKey {
        case name, messages, text
        case audioSamples = "audio_samples"
        case inputIDs = "input_ids"
    }

    var testDescription: String { name }

    var chatMessages: [ChatMessage] {
        messages.map { message in
            let role = ChatMessage.Role(rawValue: message.role)!
            switch message.content {
            case .text(let text): return ChatMessage(role: role, parts: [.text(text)])
            case .parts(let parts):
                return ChatMessage(role: role, parts: parts.map { $0["type"] == "audio" ? .audio : .text($0["text"] ?? "") })
            }
        }
    }

    static let all: [ChatTemplateCase] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/chat_template_goldens.json")
        struct File: Decodable { var cases: [ChatTemplateCase] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()
}

@Suite("Generation on the tiny model", .serialized)
struct GeneratorTests {
    @Test("prompt ids equal the processor's (apply_chat_template + audio expansion)", arguments: ChatTemplateCase.all)
    func chatTemplate(_ golden: ChatTemplateCase) throws {
        let generator = TinyEngine.generator
        #expect(generator.model.renderPrompt(golden.chatMessages, addGenerationPrompt: true) == golden.text)
        let counts = golden.audioSamples.map { AudioLengths.audioTokens(sampleCount: $0) }
        let ids = try Qwen2AudioChatTemplate.expandAudioPlaceholders(
            generator.tokenizer.encode(golden.text), audioTokenID: 151_646, counts: counts)
        #expect(ids == golden.inputIDs)
    }

    @Test("greedy generation gives transformers' 16 tokens, with usage and finish reason")
    func greedy() throws {
        let fixture = TinyFixture.all["tiny-mha"]!
        let generator = TinyEngine.generator
        let prompt = try generator.prepare(
            [.user([.audio, .text(fixture.reference["question"] as! String)])], audio: [fixture.samples])
        #expect(prompt.tokens == fixture.inputIDs)
        var streamed = ""
        let output = try generator.generate(prompt, parameters: .greedy(maxTokens: 16)) { piece, _ in
            streamed += piece
            return true
        }
        #expect(output.tokenIDs == fixture.greedyIDs)
        #expect(output.finishReason == .length)
        #expect(output.text == generator.tokenizer.decode(fixture.greedyIDs, skipSpecialTokens: true))
        #expect(streamed == output.text)
        #expect(output.usage == Usage(inputTokens: 32, outputTokens: 16, audioTokens: 35))
    }

    @Test("a stop string ends the answer before it")
    func stopString() throws {
        let fixture = TinyFixture.all["tiny-mha"]!
        let generator = TinyEngine.generator
        let prompt = try generator.prepare([.user([.audio, .text(fixture.reference["question"] as! String)])], audio: [fixture.samples])
        let full = try generator.generate(prompt, parameters: .greedy(maxTokens: 16))
        // Stop at the text of the sixth token onwards: the answer must end right before it.
        let head = generator.tokenizer.decode(Array(fixture.greedyIDs.prefix(5)), skipSpecialTokens: true)
        let tail = String(full.text.dropFirst(head.count).prefix(2))
        try #require(!tail.isEmpty)
        var parameters = GenerationParameters.greedy(maxTokens: 16)
        parameters.stop = [tail]
        var streamed = ""
        let stopped = try generator.generate(prompt, parameters: parameters) { piece, _ in streamed += piece; return true }
        #expect(stopped.finishReason == .stop)
        #expect(!stopped.text.contains(tail))
        #expect(full.text.hasPrefix(stopped.text))
        #expect(streamed == stopped.text)
    }

    @Test("returning false from the text callback cancels")
    func cancel() throws {
        let fixture = TinyFixture.all["tiny-mha"]!
        let generator = TinyEngine.generator
        let prompt = try generator.prepare([.user([.audio])], audio: [fixture.samples])
        #expect(throws: EngineError.cancelled) {
            _ = try generator.generate(prompt, parameters: .greedy(maxTokens: 16)) { _, _ in false }
        }
    }

    @Test("audio parts and clips must match; max_tokens must be positive")
    func invalid() {
        let generator = TinyEngine.generator
        #expect(throws: EngineError.self) { _ = try generator.prepare([.user([.audio, .audio])], audio: [[0]]) }
        #expect(throws: EngineError.self) {
            let prompt = try generator.prepare([.user([.text("hi")])], audio: [])
            _ = try generator.generate(prompt, parameters: .greedy(maxTokens: 0))
        }
    }
}
