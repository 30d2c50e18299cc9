import ArgumentParser
import Foundation
import QwenAudioEngine
import QwenAudioIO
import QwenAudioModels
import QwenAudioTokenizer

/// `qwen-audio chat`: one question about some audio, or an interactive conversation, streamed to stdout.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask about audio (or talk to the model) from the terminal; answers stream to stdout.",
        discussion: """
            With a PROMPT or --audio, answers once. With neither, runs a conversation: type a message, or \
            `/audio PATH` to attach audio to your next message, `/reset` to start over, `/quit` to leave.
            """
    )

    @Option(help: "A model directory (Qwen2-Audio in the Hugging Face layout).")
    var model: String

    @Option(name: .customLong("audio"), help: "An audio file or http(s) URL; repeat for several clips.")
    var audio: [String] = []

    @Option(help: "A system prompt (default: the model's).")
    var system: String?

    @OptionGroup var sampling: SamplingOptions

    @Flag(help: "Print one JSON object {text, finish_reason, usage} instead of streaming text.")
    var json = false

    @Argument(help: "The question or instruction. Leave it out for voice chat (the audio is the instruction).")
    var prompt: String?

    func run() async throws {
        let (generator, defaults) = try Self.load(model)
        let parameters = sampling.parameters(defaults: defaults)
        if prompt == nil && audio.isEmpty {
            try await interactive(generator, parameters: parameters)
            return
        }
        var parts: [ChatMessage.Part] = audio.map { _ in .audio }
        if let prompt { parts.append(.text(prompt)) }
        var messages: [ChatMessage] = system.map { [.system($0)] } ?? []
        messages.append(.user(parts))
        let clips = try await audio.asyncMap { try await Self.decode($0) }
        let output = try answer(generator, messages: messages, clips: clips, parameters: parameters, stream: !json)
        if json {
            print(JSONOutput.string(ChatReport(output)))
        } else {
            print()
        }
    }

    private func interactive(_ generator: Generator, parameters: GenerationParameters) async throws {
        var history: [ChatMessage] = system.map { [.system($0)] } ?? []
        var historyClips: [[Float]] = []
        var pending: [[Float]] = []
        FileHandle.standardError.write(Data("Type a message; /audio PATH attaches audio, /reset, /quit.\n".utf8))
        while true {
            FileHandle.standardError.write(Data("> ".utf8))
            guard let line = readLine() else { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "/quit" || trimmed == "/exit" { break }
            if trimmed == "/reset" {
                history = system.map { [.system($0)] } ?? []
                historyClips = []
                pending = []
                continue
            }
            if trimmed.hasPrefix("/audio ") {
                let source = String(trimmed.dropFirst(7)).trimmingCharacters(in: .whitespaces)
                do {
                    pending.append(try await Self.decode(source))
                    FileHandle.standardError.write(Data("(audio attached to your next message)\n".utf8))
                } catch {
                    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                }
                continue
            }
            if trimmed.isEmpty && pending.isEmpty { continue }
            var parts: [ChatMessage.Part] = pending.map { _ in .audio }
            if !trimmed.isEmpty { parts.append(.text(trimmed)) }
            let messages = history + [.user(parts)]
            let clips = historyClips + pending
            do {
                let output = try answer(generator, messages: messages, clips: clips, parameters: parameters, stream: true)
                print()
                history = messages + [.assistant(output.text)]
                historyClips = clips
                pending = []
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
    }

    private func answer(
        _ generator: Generator, messages: [ChatMessage], clips: [[Float]], parameters: GenerationParameters, stream: Bool
    ) throws -> GenerationOutput {
        let prompt = try generator.prepare(messages, audio: clips)
        return try generator.generate(prompt, parameters: parameters) { piece, _ in
            if stream {
                FileHandle.standardOutput.write(Data(piece.utf8))
            }
            return true
        }
    }

    /// Loads a model directory and its tokenizer, with progress on stderr.
    static func load(_ directory: String) throws -> (Generator, GenerationConfig) {
        let start = Date()
        FileHandle.standardError.write(Data("loading \(directory)…\n".utf8))
        let model = try ModelRegistry.load(directory: directory)
        let tokenizer = try Tokenizer(directory: URL(fileURLWithPath: directory))
        FileHandle.standardError.write(
            Data(String(format: "loaded in %.2f s\n", Date().timeIntervalSince(start)).utf8))
        return (Generator(model: model, tokenizer: tokenizer), model.generationConfig)
    }

    static func decode(_ source: String) async throws -> [Float] {
        let data = try await AudioInput.read(source, limit: AudioLimits.chat.maxInputBytes)
        return try AudioDecoder.decode(data).samples
    }
}

/// Sampling flags shared by `chat` and `bench`; unset flags take the model's `generation_config.json`.
struct SamplingOptions: ParsableArguments {
    @Option(help: "The most tokens to generate.")
    var maxTokens = 512

    @Option(help: "Sampling temperature; 0 is greedy (default: the model's).")
    var temperature: Float?

    @Option(help: "Keep the K most likely tokens; 0 disables (default: the model's).")
    var topK: Int?

    @Option(help: "Nucleus sampling mass; 1 disables (default: the model's).")
    var topP: Float?

    @Option(help: "Repetition penalty, transformers' rule; 1 disables (default: the model's).")
    var repetitionPenalty: Float?

    @Option(help: "Seed: the same seed and input give the same answer.")
    var seed: UInt64?

    @Option(help: "Stop when this text appears (repeatable).")
    var stop: [String] = []

    func validate() throws {
        guard maxTokens > 0 else { throw ValidationError("--max-tokens must be at least 1") }
        if let temperature, temperature < 0 { throw ValidationError("--temperature must be 0 or more") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if let topK, topK < 0 { throw ValidationError("--top-k must be 0 or more") }
        if let repetitionPenalty, repetitionPenalty <= 0 { throw ValidationError("--repetition-penalty must be positive") }
    }

    func parameters(defaults: GenerationConfig) -> GenerationParameters {
        GenerationParameters(
            maxTokens: maxTokens,
            temperature: temperature ?? (defaults.doSample ? defaults.temperature : 0),
            topK: topK ?? defaults.topK,
            topP: topP ?? defaults.topP,
            repetitionPenalty: repetitionPenalty ?? defaults.repetitionPenalty,
            seed: seed,
            stop: stop
        )
    }
}

struct ChatReport: Encodable {
    struct UsageReport: Encodable {
        var input_tokens: Int
        var output_tokens: Int
        var audio_tokens: Int
    }

    var text: String
    var finish_reason: String
    var usage: UsageReport

    init(_ output: GenerationOutput) {
        text = output.text
        finish_reason = output.finishReason.rawValue
        usage = UsageReport(
            input_tokens: output.usage.inputTokens, output_tokens: output.usage.outputTokens,
            audio_tokens: output.usage.audioTokens)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
