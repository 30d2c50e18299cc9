/// Byte-pair merges: the pair → (rank, merged id) table and the merge loop.
///
/// Port of tokenizers' `models/bpe/word.rs` (`Word::merge_all`): repeatedly merge the adjacent pair with the
/// lowest rank, the leftmost one on ties, until no adjacent pair has a merge. Dropout is not supported (Qwen2 has
/// none) and there is no unknown token: every byte has an id.
struct MergeTable: Sendable {
    /// Open addressing with linear probing; `emptyKey` marks a free slot. A Swift `Dictionary` hashes with SipHash,
    /// which made lookups the largest cost of encoding.
    private var keys: [UInt64]
    /// `rank << 32 | mergedID` for the key in the same slot.
    private var values: [UInt64]
    private let mask: Int
    private(set) var count = 0
    private static let emptyKey = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.emptyKey, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Adds a merge; returns false if the pair already has one (the first one wins, as in tokenizers).
    @discardableResult
    mutating func insert(left: Int32, right: Int32, rank: Int, merged: Int32) -> Bool {
        let k = Self.key(left, right)
        var i = slot(for: k)
        while keys[i] != Self.emptyKey {
            if keys[i] == k { return false }
            i = (i + 1) & mask
        }
        keys[i] = k
        values[i] = UInt64(UInt32(rank)) << 32 | UInt64(UInt32(bitPattern: merged))
        count += 1
        return true
    }

    /// `rank << 32 | mergedID` of a pair, or `UInt64.max` if the pair has no merge.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 {
        let k = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var i = slot(for: k)
            while true {
                let stored = keys[i]
                if stored == k { return values[i] }
                if stored == Self.emptyKey { return UInt64.max }
                i = (i + 1) & mask
            }
        }
    }
}

/// Scratch buffers for ``BPE/merge(_:table:into:)``, reused across the words of one encode call.
struct BPEWorkspace {
    var symbols: [Int32] = []
    var ranks: [UInt64] = []
    var previous: [Int32] = []
    var next: [Int32] = []
    var heap: [UInt64] = []
    var heapIDs: [Int32] = []
}

enum BPE {
    /// Words up to this many symbols use the quadratic scan, which beats the heap on short words (almost all).
    static let scanLimit = 48

    /// Merges `symbols` (one id per byte) and appends the resulting ids to `output`.
    static func merge(
        _ symbols: inout [Int32],
        table: MergeTable,
        workspace: inout BPEWorkspace,
        into output: inout [Int]
    ) {
        if symbols.count <= scanLimit {
            mergeByScan(&symbols, table: table, ranks: &workspace.ranks)
            for id in symbols { output.append(Int(id)) }
        } else {
            mergeByHeap(symbols, table: table, workspace: &workspace, into: &output)
        }
    }

    /// O(n²) merge: keep each adjacent pair's `rank << 32 | mergedID`, merge the minimum, update its neighbours.
    /// The minimum of the packed value is the lowest rank; `firstIndex` of it is the leftmost pair.
    static func mergeByScan(_ symbols: inout [Int32], table: MergeTable, ranks: inout [UInt64]) {
        var n = symbols.count
        guard n >= 2 else { return }
        ranks.removeAll(keepingCapacity: true)
        for i in 0..<(n - 1) { ranks.append(table.lookup(symbols[i], symbols[i + 1])) }
        while true {
            var best = UInt64.max
            var at = -1
            for i in 0..<(n - 1) where ranks[i] < best {
                best = ranks[i]
                at = i
            }
            if at < 0 { return }
            symbols[at] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            symbols.remove(at: at + 1)
            ranks.remove(at: at)
            n -= 1
            if at > 0 { ranks[at - 1] = table.lookup(symbols[at - 1], symbols[at]) }
            if at < n - 1 { ranks[at] = table.lookup(symbols[at], symbols[at + 1]) }
        }
    }

    /// O(n log n) merge for long words (a run of CJK letters is one word): a min-heap of candidate merges keyed by
    /// `rank << 32 | position`, with stale entries skipped on pop, exactly as `Word::merge_all` does.
    static func mergeByHeap(
        _ initial: [Int32],
        table: MergeTable,
        workspace w: inout BPEWorkspace,
        into output: inout [Int]
    ) {
        let n = initial.count
        w.symbols = initial
        w.previous.removeAll(keepingCapacity: true)
        w.next.removeAll(keepingCapacity: true)
        w.heap.removeAll(keepingCapacity: true)
        w.heapIDs.removeAll(keepingCapacity: true)
        for i in 0..<n {
            w.previous.append(Int32(i - 1))
            w.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }
        for i in 0..<(n - 1) {
            let found = table.lookup(initial[i], initial[i + 1])
            if found != UInt64.max { push(found, at: i, &w) }
        }
        // Removed symbols get id -1.
        while let (key, mergedID) = pop(&w) {
            let pos = Int(key & 0xFFFF_FFFF)
            let left = w.symbols[pos]
            let nextPos = Int(w.next[pos])
            if left < 0 || nextPos < 0 { continue }
            let found = table.lookup(left, w.symbols[nextPos])
            if found == UInt64.max || Int32(truncatingIfNeeded: found & 0xFFFF_FFFF) != mergedID { continue }
            w.symbols[pos] = mergedID
            w.symbols[nextPos] = -1
            let after = w.next[nextPos]
            w.next[pos] = after
            if after >= 0 { w.previous[Int(after)] = Int32(pos) }
            let before = Int(w.previous[pos])
            if before >= 0 {
                let merge = table.lookup(w.symbols[before], mergedID)
                if merge != UInt64.max { push(merge, at: before, &w) }
            }
            if after >= 0 {
                let merge = table.lookup(mergedID, w.symbols[Int(after)])
                if merge != UInt64.max { push(merge, at: pos, &w) }
            }
        }
        for id in w.symbols where id >= 0 { output.append(Int(id)) }
    }

    private static func push(_ found: UInt64, at position: Int, _ w: inout BPEWorkspace) {
        let key = found & 0xFFFF_FFFF_0000_0000 | UInt64(position)
        let id = Int32(truncatingIfNeeded: found & 0xFFFF_FFFF)
        w.heap.append(key)
        w.heapIDs.append(id)
        var i = w.heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if w.heap[parent] <= key { break }
            w.heap[i] = w.heap[parent]
            w.heapIDs[i] = w.heapIDs[parent]
            i = parent
        }
        w.heap[i] = key
        w.heapIDs[i] = id
    }

    private static func pop(_ w: inout BPEWorkspace) -> (UInt64, Int32)? {
        guard let lastKey = w.heap.popLast(), let lastID = w.heapIDs.popLast() else { return nil }
        if w.heap.isEmpty { return (lastKey, lastID) }
        let top = (w.heap[0], w.heapIDs[0])
        var i = 0
        let n = w.heap.count
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n, w.heap[child + 1] < w.heap[child] { child += 1 }
            if w.heap[child] >= lastKey { break }
            w.heap[i] = w.heap[child]
            w.heapIDs[i] = w.heapIDs[child]
            i = child
        }
        w.heap[i] = lastKey
        w.heapIDs[i] = lastID
        return top
    }
}
