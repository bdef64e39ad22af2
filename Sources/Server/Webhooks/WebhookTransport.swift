import AsyncHTTPClient
import Foundation
import NIOCore

/// What one delivery attempt got: an HTTP status, or why there was none.
struct WebhookAttemptResult: Sendable, Equatable {
    var statusCode: Int?
    var error: String?
    /// The start of a 4xx answer's body (Shared Signals reads RFC 8935 §2.4 errors from it).
    var body: String? = nil

    var delivered: Bool { statusCode.map { (200...299).contains($0) } ?? false }
}

/// Sends one delivery attempt. The drainer's only contact with the network, so tests can
/// stand in for it.
protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: String) async -> WebhookAttemptResult
}

/// POSTs with AsyncHTTPClient: no redirects (the target is the URL that was registered and
/// checked), a 10-second timeout, the answer's body read up to 64 KiB and dropped.
struct HTTPWebhookTransport: WebhookTransport {
    /// False on a deployed server: the target's host name is resolved before every attempt
    /// and a name that now points at loopback, private or link-local addresses is not
    /// called (the URL was checked when registered, but DNS can change since).
    var allowPrivateAddresses: Bool
    var timeout: TimeAmount = .seconds(10)

    func post(url: String, headers: [(String, String)], body: String) async -> WebhookAttemptResult {
        if !allowPrivateAddresses, let host = URLComponents(string: url)?.host,
           let address = await OutboundAddresses.privateAddress(resolving: host) {
            return WebhookAttemptResult(error: "not sent: \(host) resolves to \(address), a loopback, private or link-local address")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        request.headers.add(name: "User-Agent", value: "Arbiter-Webhooks/1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await webhookClient.execute(request, timeout: timeout)
            let answer = try? await response.body.collect(upTo: 64 << 10)
            let code = Int(response.status.code)
            let body = (400...499).contains(code) ? answer.map { String(decoding: $0.readableBytesView.prefix(4096), as: UTF8.self) } : nil
            return WebhookAttemptResult(statusCode: code, body: body)
        } catch {
            return WebhookAttemptResult(error: String(String(describing: error).prefix(200)))
        }
    }
}

/// One client for the life of the process (as the diagnostics fetcher's).
private let webhookClient = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup,
    configuration: HTTPClient.Configuration(
        redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10))))
