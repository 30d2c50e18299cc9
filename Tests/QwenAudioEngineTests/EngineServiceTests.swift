import Foundation
import QwenAudioModels
import QwenAudioTestSupport
import Testing

@testable import QwenAudioEngine

@Suite("Engine service", .serialized)
struct EngineServiceTests {
    static let service = EngineService(generator: TinyEngine.generator, queueLimit: 8)

    static func question() -> ([ChatMessage], [[Float]]) {
        let fixture = TinyFixture.all["tiny-mha"]!
        return ([.user([.audio, .text(fixture.reference["question"] as! String)])], [fixture.samples])
    }

    @Test("a request streams started, deltas and finished, with the same text as a direct run")
    func events() async throws {
        let (messages, audio) = Self.question()
        var started = false
        var text = ""
        var finished: GenerationOutput?
        for try await event in try Self.service.submit(messages, audio: audio, parameters: .greedy(maxTokens: 12)) {
            switch event {
            case .started(let prompt, let audioTokens):
                #expect(prompt == 32 && audioTokens == 35)
                started = true
            case .delta(let piece, _): text += piece
            case .finished(let output): finished = output
            }
        }
        #expect(started)
        let output = try #require(finished)
        #expect(output.text == text)
        #expect(output.tokenIDs == Array(TinyFixture.all["tiny-mha"]!.greedyIDs.prefix(12)))
    }

    @Test("concurrent requests are all answered, each as if alone")
    func concurrent() async throws {
        let (messages, audio) = Self.question()
        let lengths = [3, 7, 5, 9]
        let outputs = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (index, length) in lengths.enumerated() {
                group.addTask {
                    var ids: [Int] = []
                    for try await event in try Self.service.submit(messages, audio: audio, parameters: .greedy(maxTokens: length)) {
                        if case .finished(let output) = event { ids = output.tokenIDs }
                    }
                    return (index, ids)
                }
            }
            var results = [[Int]](repeating: [], count: lengths.count)
            for try await (index, ids) in group { results[index] = ids }
            return results
        }
        let greedy = TinyFixture.all["tiny-mha"]!.greedyIDs
        for (index, length) in lengths.enumerated() { #expect(outputs[index] == Array(greedy.prefix(length))) }
    }

    @Test("a consumer that leaves cancels its generation; the next request is served")
    func cancellation() async throws {
        let (messages, audio) = Self.question()
        let stream = try Self.service.submit(messages, audio: audio, parameters: .greedy(maxTokens: 16))
        for try await event in stream {
            if case .delta = event { break }  // leave after the first piece of text
        }
        var served = false
        for try await event in try Self.service.submit(messages, audio: audio, parameters: .greedy(maxTokens: 2)) {
            if case .finished(let output) = event { served = output.tokenIDs.count == 2 }
        }
        #expect(served)
        #expect(Self.service.load.queued == 0)
    }

    @Test("a full queue refuses at once; errors of the request reach the stream")
    func refusals() async throws {
        let full = EngineService(generator: TinyEngine.generator, queueLimit: 0)
        #expect(throws: EngineError.busy(queued: 0)) { _ = try full.submit([.user([.text("hi")])], audio: [], parameters: .greedy(maxTokens: 1)) }
        full.shutdown()
        await #expect(throws: EngineError.self) {
            for try await _ in try Self.service.submit([.user([.audio])], audio: [], parameters: .greedy(maxTokens: 1)) {}
        }
    }
}
