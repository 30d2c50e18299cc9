import Foundation
import Testing

@testable import QwenAudioTokenizer

@Suite("BPE")
struct BPETests {
    /// SplitMix64, so the words are the same on every run and platform.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("the heap merge and the scan merge give the same ids on words of every length")
    func heapEqualsScan() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        let model = tokenizer.model
        var rng = SeededGenerator(state: 7)
        let alphabets: [[UInt8]] = [
            Array("abcdefghijklmnopqrstuvwxyz".utf8),
            Array("aaab".utf8),  // repeated pairs: ties resolved leftmost
            Array("中文字符测试的一是不了人我在有他这".utf8),  // CJK bytes
            Array(" \n=-".utf8),
            (0...255).map { UInt8($0) },
        ]
        var workspace = BPEWorkspace()
        for round in 0..<2000 {
            let alphabet = alphabets[round % alphabets.count]
            let length = Int.random(in: 2...200, using: &rng)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            let initial = bytes.map { model.byteIDs[Int($0)] }
            var scanned = initial
            var ranks: [UInt64] = []
            BPE.mergeByScan(&scanned, table: model.merges, ranks: &ranks)
            var heaped: [Int] = []
            BPE.mergeByHeap(initial, table: model.merges, workspace: &workspace, into: &heaped)
            #expect(heaped == scanned.map(Int.init), "round \(round): \(bytes)")
        }
    }

    @Test("runs of one character round-trip on both sides of the scan/heap threshold")
    func repeatedCharacter() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for count in [1, 2, 3, 4, 5, 16, 17, BPE.scanLimit, BPE.scanLimit + 1, 100, 1000] {
            for character in ["=", "a", "中", "😀"] {
                let text = String(repeating: character, count: count)
                #expect(tokenizer.decode(tokenizer.encode(text)) == text)
            }
        }
    }

    @Test("merge table: inserts, lookups, first insert wins")
    func mergeTable() {
        var table = MergeTable(capacity: 3)
        let first = table.insert(left: 1, right: 2, rank: 0, merged: 10)
        let second = table.insert(left: 2, right: 1, rank: 1, merged: 11)
        let repeated = table.insert(left: 1, right: 2, rank: 5, merged: 99)
        #expect(first && second && !repeated)
        #expect(table.lookup(1, 2) == 0 << 32 | 10)
        #expect(table.lookup(2, 1) == 1 << 32 | 11)
        #expect(table.lookup(2, 2) == UInt64.max)
        #expect(table.count == 2)
    }
}
