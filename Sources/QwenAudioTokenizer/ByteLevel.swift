/// GPT-2's reversible byte ↔ character map, the alphabet of byte-level BPE vocabularies.
///
/// Port of `bytes_to_unicode()` (openai/gpt-2 `encoder.py`, tokenizers `pre_tokenizers/byte_level.rs`): printable
/// Latin-1 bytes map to themselves, the other 68 bytes to U+0100… in byte order, so that every vocabulary entry
/// is a printable string (the space 0x20 becomes `Ġ`, the newline 0x0A becomes `Ċ`).
enum ByteLevel {
    /// The character that stands for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var printable = [Bool](repeating: false, count: 256)
        for b in 0x21...0x7E { printable[b] = true }
        for b in 0xA1...0xAC { printable[b] = true }
        for b in 0xAE...0xFF { printable[b] = true }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if printable[b] {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a character stands for, indexed by scalar value; `nil` for characters outside the alphabet.
    static let byteForScalar: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 324)
        for (b, scalar) in scalarForByte.enumerated() { table[Int(scalar.value)] = UInt8(b) }
        return table
    }()

    /// The vocabulary form of some bytes (`" the"` → `"Ġthe"`).
    static func string(for bytes: some Sequence<UInt8>) -> String {
        var view = String.UnicodeScalarView()
        for b in bytes { view.append(scalarForByte[Int(b)]) }
        return String(view)
    }

    /// The bytes a vocabulary string stands for, or `nil` if a character is outside the alphabet.
    static func bytes(for token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let v = Int(scalar.value)
            guard v < byteForScalar.count, let b = byteForScalar[v] else { return nil }
            out.append(b)
        }
        return out
    }

    /// What tokenizers' ByteLevel decoder turns one token into: the bytes its characters stand for, or, when a
    /// character is outside the alphabet (an added token such as `<|我|>`), the token's own UTF-8 (Rust
    /// `ByteLevel::decode_chain`).
    static func decodedBytes(for token: String) -> [UInt8] {
        bytes(for: token) ?? Array(token.utf8)
    }
}
