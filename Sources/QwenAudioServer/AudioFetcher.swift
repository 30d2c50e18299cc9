public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import QwenAudioIO

#if canImport(Glibc)
import Glibc
#endif

/// Downloads audio that a request names by `http(s)://` URL, bounded before any decoding happens.
///
/// - The body is read as a stream and abandoned as soon as it passes the size limit.
/// - Connect and whole-download time-outs apply; redirects are followed by hand, at most `maxRedirects`.
/// - Unless the operator allows it, a URL whose host resolves to a loopback, private, link-local, CGNAT,
///   multicast or cloud-metadata address is refused — checked for the first URL and again for every redirect,
///   so a public URL cannot bounce the server into the operator's network.
public final class AudioFetcher: Sendable {
    public struct Policy: Sendable {
        public var maxBytes: Int
        public var allowPrivateAddresses: Bool
        public var totalTimeoutSeconds: Int64
        public var maxRedirects: Int

        public init(
            maxBytes: Int = AudioLimits.chat.maxInputBytes, allowPrivateAddresses: Bool = false,
            totalTimeoutSeconds: Int64 = 60, maxRedirects: Int = 3
        ) {
            self.maxBytes = maxBytes
            self.allowPrivateAddresses = allowPrivateAddresses
            self.totalTimeoutSeconds = totalTimeoutSeconds
            self.maxRedirects = maxRedirects
        }
    }

    /// Why a download failed; the server maps these to 400s.
    public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidURL(String)
        case privateAddress(host: String, address: String)
        case unresolvable(host: String)
        case httpStatus(url: String, status: Int)
        case tooLarge(url: String, limitBytes: Int)
        case tooManyRedirects(url: String)
        case failed(url: String, reason: String)

        public var description: String {
            switch self {
            case .invalidURL(let url): "'\(url)' is not a valid http(s) URL."
            case .privateAddress(let host, let address):
                "the audio URL's host \(host) resolves to the private address \(address); this server fetches only public URLs (the operator can allow private ones)."
            case .unresolvable(let host): "the audio URL's host \(host) cannot be resolved."
            case .httpStatus(let url, let status): "downloading \(url) failed with HTTP \(status)."
            case .tooLarge(let url, let limit): "the audio at \(url) is larger than \(limit) bytes."
            case .tooManyRedirects(let url): "\(url) redirects too many times."
            case .failed(let url, let reason): "downloading \(url) failed: \(reason)."
            }
        }
    }

    public let policy: Policy

    /// One client for the process, like `HTTPClient.shared` but with redirects left to ``fetch(_:)`` (each hop
    /// is checked) and a 10 s connect time-out. It lives as long as the process, so it is never shut down.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Downloads `url`, following redirects within the policy.
    public func fetch(_ url: URL) async throws(FetchError) -> Data {
        var current = url
        for _ in 0...policy.maxRedirects {
            try checkDestination(current)
            var request = HTTPClientRequest(url: current.absoluteString)
            request.method = .GET
            let response: HTTPClientResponse
            do {
                response = try await Self.client.execute(request, timeout: .seconds(policy.totalTimeoutSeconds))
            } catch {
                throw .failed(url: current.absoluteString, reason: "\(error)")
            }
            let status = Int(response.status.code)
            if (300..<400).contains(status), let location = response.headers.first(name: "location") {
                guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                    throw .invalidURL(location)
                }
                current = next
                continue
            }
            guard (200..<300).contains(status) else { throw .httpStatus(url: current.absoluteString, status: status) }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > policy.maxBytes {
                throw .tooLarge(url: current.absoluteString, limitBytes: policy.maxBytes)
            }
            var body = Data()
            do {
                for try await chunk in response.body {
                    body.append(contentsOf: chunk.readableBytesView)
                    if body.count > policy.maxBytes { throw FetchError.tooLarge(url: current.absoluteString, limitBytes: policy.maxBytes) }
                }
            } catch let error as FetchError {
                throw error
            } catch {
                throw .failed(url: current.absoluteString, reason: "\(error)")
            }
            return body
        }
        throw .tooManyRedirects(url: url.absoluteString)
    }

    /// Resolves the host and refuses private destinations unless allowed.
    func checkDestination(_ url: URL) throws(FetchError) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else { throw .invalidURL(url.absoluteString) }
        if policy.allowPrivateAddresses { return }
        let addresses = Self.resolve(host)
        guard !addresses.isEmpty else { throw .unresolvable(host: host) }
        if let blocked = addresses.first(where: Self.isPrivate) { throw .privateAddress(host: host, address: blocked) }
    }

    /// Every address `host` resolves to, as text.
    static func resolve(_ host: String) -> [String] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// Loopback, RFC 1918, CGNAT, link-local (cloud metadata lives there), multicast, unspecified, and their
    /// IPv6 equivalents (including IPv4-mapped addresses).
    static func isPrivate(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return isPrivateIPv4(b)
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return true }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isPrivateIPv4(Array(b[12..<16])) }
        if b.allSatisfy({ $0 == 0 }) || (b[0..<15].allSatisfy { $0 == 0 } && b[15] == 1) { return true }  // :: and ::1
        if b[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if b[0] == 0xFF { return true }  // multicast
        return false
    }

    static func isPrivateIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true  // CGNAT
        case (169, 254): return true  // link-local, cloud metadata 169.254.169.254
        case (172, 16...31), (192, 168): return true
        case (192, 0) where b[2] == 0: return true
        case (198, 18...19): return true  // benchmarking
        case (224...255, _): return true  // multicast, reserved, broadcast
        default: return false
        }
    }
}
