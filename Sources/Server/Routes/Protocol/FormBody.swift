import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An `application/x-www-form-urlencoded` body, as every OAuth endpoint takes (RFC 6749 §3.2).
struct FormBody {
    /// OAuth requests are a few hundred bytes; anything near this is not one.
    static let maxBytes = 16 * 1024

    private(set) var values: [String: String] = [:]

    /// Reads and parses the body. Another media type, a larger body, bad percent-encoding or a
    /// repeated parameter (RFC 6749 §3.1) is `invalid_request`.
    static func read(_ request: Request, limit: Int = maxBytes) async throws -> FormBody {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw OAuthError.invalidRequest("send the parameters as Content-Type: application/x-www-form-urlencoded")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw OAuthError.invalidRequest("the body is limited to \(limit) bytes", status: .contentTooLarge)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw OAuthError.invalidRequest("the body is limited to \(limit) bytes", status: .contentTooLarge)
        }
        return try parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    static func parse(_ text: String) throws -> FormBody {
        var form = FormBody()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw OAuthError.invalidRequest("the body is not valid form encoding")
            }
            guard form.values[name] == nil else {
                throw OAuthError.invalidRequest("parameter '\(name)' is repeated")
            }
            form.values[name] = value
        }
        return form
    }

    /// `+` is a space, then percent-decoding (the form-urlencoded rules).
    static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// A parameter; empty values count as absent (RFC 6749 §3.1).
    subscript(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}
