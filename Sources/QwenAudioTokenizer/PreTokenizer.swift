/// The Qwen2 pre-tokenizer: splits normalized text into the pieces BPE runs on.
///
/// A hand-written scanner for the Split regex of Qwen2's `tokenizer.json` (model spec §9):
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
///
/// with the semantics of the regex engine tokenizers uses (Oniguruma): alternatives are tried in order at each
/// position (leftmost-first, not longest), and a match starts where the previous one ended. Every scalar is
/// covered by some alternative, so the pieces tile the text. Character classes, as measured against tokenizers:
/// `\s` is Unicode White_Space (U+0085 and U+00A0 are in, U+180E and U+200B and the ASCII separators 0x1C…0x1F are
/// out); `\p{L}` is general category L*, `\p{N}` is N*; `(?i:…)` folds simply, so `'ſ` (U+017F) is a contraction
/// like `'s`, but the ligature `'ﬆ` is not.
///
/// `NSRegularExpression` is not used: it is slow on Linux and its `\s` is not White_Space.
struct PreTokenizer {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 4
    /// `\r` or `\n`, the only characters `[\r\n]` takes.
    static let newline: UInt8 = 8

    /// The scalars of the current segment, their classes and the byte offset where each starts (one past the end:
    /// the segment's length). Kept between segments so that encoding allocates once.
    private var scalars: [UInt32] = []
    private var classes: [UInt8] = []
    private var offsets: [Int] = []

    /// Calls `body` with the byte range of each piece of `utf8` (valid UTF-8, already normalized), in order.
    mutating func split(_ utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        decode(utf8)
        let n = scalars.count
        scalars.withUnsafeBufferPointer { s in
            classes.withUnsafeBufferPointer { c in
                var i = 0
                while i < n {
                    let end = Self.matchEnd(at: i, scalars: s, classes: c)
                    body(offsets[i]..<offsets[end])
                    i = end
                }
            }
        }
    }

    /// Fills `scalars`, `classes` and `offsets` from valid UTF-8.
    private mutating func decode(_ utf8: UnsafeBufferPointer<UInt8>) {
        scalars.removeAll(keepingCapacity: true)
        classes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        let table = Self.bmpClasses
        var i = 0
        let n = utf8.count
        while i < n {
            offsets.append(i)
            let b0 = UInt32(utf8[i])
            var v: UInt32
            if b0 < 0x80 {
                v = b0
                i += 1
            } else if b0 < 0xE0 {
                v = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
                i += 2
            } else if b0 < 0xF0 {
                v = (b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
                i += 3
            } else {
                v = (b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6
                v |= UInt32(utf8[i + 3] & 0x3F)
                i += 4
            }
            scalars.append(v)
            classes.append(v < 0x10000 ? table[Int(v)] : Self.classify(v))
        }
        offsets.append(n)
    }

    /// Where the regex's match that starts at scalar `i` ends (exclusive).
    private static func matchEnd(
        at i: Int,
        scalars s: UnsafeBufferPointer<UInt32>,
        classes c: UnsafeBufferPointer<UInt8>
    ) -> Int {
        let n = s.count
        let ci = c[i]
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if s[i] == 0x27, i + 1 < n {
            switch foldedASCII(s[i + 1]) {
            case 0x73, 0x74, 0x6D, 0x64:  // s t m d
                return i + 2
            case 0x72, 0x76:  // r v, then e
                if i + 2 < n, foldedASCII(s[i + 2]) == 0x65 { return i + 3 }
            case 0x6C:  // l, then l
                if i + 2 < n, foldedASCII(s[i + 2]) == 0x6C { return i + 3 }
            default:
                break
            }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if ci & letter != 0 { return endOfLetters(from: i + 1, classes: c) }
        if ci & (number | newline) == 0, i + 1 < n, c[i + 1] & letter != 0 {
            return endOfLetters(from: i + 2, classes: c)
        }
        // \p{N}
        if ci & number != 0 { return i + 1 }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        var j = s[i] == 0x20 && i + 1 < n && isOther(c[i + 1]) ? i + 1 : i
        if isOther(c[j]) {
            j += 1
            while j < n, isOther(c[j]) { j += 1 }
            while j < n, c[j] & newline != 0 { j += 1 }
            return j
        }
        // Only whitespace is left: every other class matched above.
        var runEnd = i + 1
        var lastNewline = ci & newline != 0 ? i : -1
        while runEnd < n, c[runEnd] & whitespace != 0 {
            if c[runEnd] & newline != 0 { lastNewline = runEnd }
            runEnd += 1
        }
        // \s*[\r\n]+ : \s* backtracks to the last newline of the run, [\r\n]+ takes it.
        if lastNewline >= 0 { return lastNewline + 1 }
        // \s+(?!\S) : the whole run at the end of the text, else all but its last scalar (which then leads the
        // next piece, e.g. the space of " word").
        if runEnd == n { return n }
        if runEnd - i >= 2 { return runEnd - 1 }
        // \s+
        return runEnd
    }

    private static func endOfLetters(from start: Int, classes c: UnsafeBufferPointer<UInt8>) -> Int {
        var j = start
        while j < c.count, c[j] & letter != 0 { j += 1 }
        return j
    }

    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls that are not White_Space.
    @inline(__always)
    private static func isOther(_ cls: UInt8) -> Bool { cls & (letter | number | whitespace) == 0 }

    /// The lowercase ASCII letter a scalar case-folds to for the contraction alternative: ASCII letters, and
    /// U+017F LATIN SMALL LETTER LONG S, whose simple case fold is `s` (Oniguruma matches `'ſ` as `'s`).
    @inline(__always)
    private static func foldedASCII(_ v: UInt32) -> UInt32 {
        if v >= 0x41 && v <= 0x5A { return v | 0x20 }
        if v == 0x17F { return 0x73 }
        return v
    }

    /// The class bits of one scalar.
    static func classify(_ v: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(v) else { return 0 }
        var cls: UInt8 = 0
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            cls |= letter
        case .decimalNumber, .letterNumber, .otherNumber:
            cls |= number
        default:
            break
        }
        if scalar.properties.isWhitespace { cls |= whitespace }
        if v == 0x0A || v == 0x0D { cls |= newline }
        return cls
    }

    /// Classes of the Basic Multilingual Plane, computed once: a Unicode property lookup costs ~60 ns on Linux,
    /// which would dominate encoding CJK text.
    static let bmpClasses: [UInt8] = (0..<0x10000).map { v in
        // Surrogate code points are not scalars; they never occur in a String.
        (0xD800...0xDFFF).contains(v) ? 0 : classify(UInt32(v))
    }
}
