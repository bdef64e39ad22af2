import AsyncHTTPClient
import Foundation
import NIOCore

/// The few HTTP calls `arbiter login` and `arbiter token` make: a JSON GET and a form POST,
/// answered as a status and a JSON object. AsyncHTTPClient over swift-nio-ssl, so the CLI
/// uses the same TLS stack as the server.
struct OAuthHTTPClient {
    /// Answers larger than this are not OAuth answers.
    static let maxResponseBytes = 1 << 20
    static let timeout = TimeAmount.seconds(30)

    struct Answer {
        var status: Int
        var json: [String: Any]

        var error: String? { json["error"] as? String }
        var errorDescription: String? { json["error_description"] as? String }

        /// `error: description`, or the status when the body said nothing.
        var problem: String {
            if let error { return errorDescription.map { "\(error): \($0)" } ?? error }
            if let detail = json["detail"] as? String { return "HTTP \(status): \(detail)" }
            return "HTTP \(status)"
        }
    }

    func getJSON(_ url: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        return try await send(request)
    }

    func postForm(_ url: String, _ fields: [(String, String)]) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncode(fields)))
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
        } catch {
            throw CLIFailure("cannot reach \(request.url): \(error)")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw CLIFailure("\(request.url) sent an unreadable or oversized answer")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        guard let json else {
            throw CLIFailure("\(request.url) answered HTTP \(response.status.code) without a JSON object; is --server an Arbiter server?")
        }
        return Answer(status: Int(response.status.code), json: json)
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters escaped.
    static func formEncode(_ fields: [(String, String)]) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return fields.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "") + "="
                + (value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")
        }.joined(separator: "&")
    }
}

/// A failure the CLI reports as one line on stderr, exiting 1.
struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
