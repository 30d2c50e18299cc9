public import Foundation

/// Where the bytes of one audio part come from (spec §4.2, §10.1). Resolving it is the server's job.
public enum AudioSource: Sendable, Equatable {
    /// An `http://` or `https://` URL to fetch (bounded in size and time; private addresses refused).
    case url(URL)
    /// Bytes given inline: a `data:…;base64,` URI or OpenAI's bare base64 `input_audio.data`. `format` is the
    /// client's hint (`"wav"`, `"mp3"`, from `input_audio.format` or the URI's media type); decoders sniff.
    case data(Data, format: String?)
    /// A key of the upload store, from `oss://<key>` (kept verbatim: it may contain spaces or CJK).
    case ossKey(String)
    /// A local path from `file://<path>`, percent-decoded; only valid under a directory the operator allows.
    case file(path: String)

    /// Largest base64 text of one `data:` URI or inline `input_audio.data`: 10 MB (spec §4.2).
    public static let maxInlineBase64Bytes = 10_485_760

    /// Reads one audio reference.
    ///
    /// - Parameters:
    ///   - value: the string the client sent.
    ///   - field: where it was, for messages (`input.messages[1].content[0].audio`).
    ///   - format: a format hint given beside it (OpenAI `input_audio.format`); wins over a data URI's type.
    ///   - bareBase64: accept a string that is none of the URL forms as base64 bytes (OpenAI `input_audio.data`).
    ///   - ossResolve: the request carries `X-DashScope-OssResourceResolve: enable`; `oss://` needs it.
    /// - Throws: ``APIError`` 400 for an unknown scheme, a malformed URL, bad base64, an empty or oversized
    ///   data URI, or `oss://` without the header.
    public static func parse(
        _ value: String,
        field: String,
        format: String? = nil,
        bareBase64: Bool = false,
        ossResolve: Bool = true
    ) throws(APIError) -> AudioSource {
        let lowered = value.prefix(8).lowercased()
        if lowered.hasPrefix("data:") {
            return try parseDataURI(value, field: field, format: format)
        }
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard let url = URL(string: value), let host = url.host, !host.isEmpty,
                url.scheme?.lowercased() == "http" || url.scheme?.lowercased() == "https"
            else {
                throw .invalidURL(
                    field: field,
                    "'\(field)' is \(quoted(value)); expected a URL like https://host/a.wav."
                )
            }
            return .url(url)
        }
        if lowered.hasPrefix("oss://") {
            let key = String(value.dropFirst("oss://".count))
            guard !key.isEmpty else {
                throw .invalidURL(
                    field: field,
                    "'\(field)' is \"oss://\" with no key; expected oss://<key from upload>."
                )
            }
            guard ossResolve else {
                throw .invalidURL(
                    field: field,
                    "'\(field)' is an oss:// URL but the request lacks the header "
                        + "'X-DashScope-OssResourceResolve: enable'; send it with oss:// references."
                )
            }
            return .ossKey(key)
        }
        if lowered.hasPrefix("file://") {
            let raw = String(value.dropFirst("file://".count))
            guard !raw.isEmpty, let path = raw.removingPercentEncoding, !path.isEmpty else {
                throw .invalidURL(field: field, "'\(field)' is \(quoted(value)); expected file:///absolute/path.")
            }
            return .file(path: path)
        }
        if bareBase64 {
            guard let bytes = decodeBase64(value) else {
                throw .invalidParameter(
                    "'\(field)' is not valid base64 and not a data:, http(s)://, oss:// or file:// reference; "
                        + "expected base64-encoded audio bytes.",
                    field: field
                )
            }
            try checkInline(base64Count: value.utf8.count, bytes: bytes, field: field)
            return .data(bytes, format: format)
        }
        throw .invalidURL(
            field: field,
            "'\(field)' is \(quoted(value)); expected an http(s)://, oss:// or file:// URL or a data:;base64, URI."
        )
    }

    /// `data:[<media type>][;param]*;base64,<payload>`; the media type may be empty (`data:;base64,`).
    private static func parseDataURI(_ value: String, field: String, format: String?) throws(APIError) -> AudioSource {
        guard let comma = value.firstIndex(of: ",") else {
            throw .invalidParameter(
                "'\(field)' is a data: URI without a comma; expected data:<media type>;base64,<base64 audio>.",
                field: field
            )
        }
        let header = value[value.index(value.startIndex, offsetBy: 5)..<comma]
        let attributes = header.split(separator: ";", omittingEmptySubsequences: false)
        guard attributes.dropFirst().contains(where: { $0.lowercased() == "base64" }) else {
            throw .invalidParameter(
                "'\(field)' is a data: URI that is not base64; expected data:<media type>;base64,<base64 audio>.",
                field: field
            )
        }
        let payload = value[value.index(after: comma)...]
        guard payload.utf8.count <= maxInlineBase64Bytes else { throw .dataURITooLarge(field: field) }
        guard let bytes = decodeBase64(payload) else {
            throw .invalidParameter(
                "'\(field)' holds invalid base64 after 'base64,'; "
                    + "expected standard base64 (A-Z a-z 0-9 + /, = padding).",
                field: field
            )
        }
        guard !bytes.isEmpty else { throw .audioEmpty(field: field) }
        return .data(bytes, format: format ?? Self.format(mediaType: attributes.first.map(String.init) ?? ""))
    }

    private static func checkInline(base64Count: Int, bytes: Data, field: String) throws(APIError) {
        guard base64Count <= maxInlineBase64Bytes else { throw .dataURITooLarge(field: field) }
        guard !bytes.isEmpty else { throw .audioEmpty(field: field) }
    }

    /// Standard base64; ASCII whitespace (line wrapping) is skipped and missing `=` padding is tolerated.
    static func decodeBase64(_ text: some StringProtocol) -> Data? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 where byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 {
            bytes.append(byte)
        }
        switch bytes.count % 4 {
        case 1: return nil
        case 2: bytes += [0x3D, 0x3D]
        case 3: bytes.append(0x3D)
        default: break
        }
        return Data(base64Encoded: Data(bytes))
    }

    /// The format hint of a media type: `audio/wav`, `audio/x-wav`, `audio/wave` → `wav`; `audio/mpeg` → `mp3`;
    /// otherwise the subtype without `x-`; `nil` for an empty or generic type.
    public static func format(mediaType: String) -> String? {
        let type = mediaType.trimmingCharacters(in: .whitespaces).lowercased()
        guard let slash = type.firstIndex(of: "/") else { return nil }
        var subtype = String(type[type.index(after: slash)...])
        if subtype.hasPrefix("x-") { subtype.removeFirst(2) }
        switch subtype {
        case "", "octet-stream", "unknown": return nil
        case "wave", "vnd.wave": return "wav"
        case "mpeg", "mpeg3", "mp3": return "mp3"
        default: return subtype
        }
    }
}

func quoted(_ value: String, limit: Int = 60) -> String {
    let shown = value.count > limit ? value.prefix(limit) + "…" : Substring(value)
    return "\"\(shown)\""
}
