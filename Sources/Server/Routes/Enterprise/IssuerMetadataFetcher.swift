import AsyncHTTPClient
import Foundation
import Identity
import NIOCore

/// Fetches `<issuer>/.well-known/openid-configuration` for connection diagnostics, with a
/// short timeout, a size limit and no redirects; every failure is an outcome the
/// diagnostics report, never an error of the request.
struct IssuerMetadataFetcher: Sendable {
    static let maxBytes = 256 * 1024

    /// Loopback, private and link-local IP literals are fetched only when true.
    var allowPrivateAddresses: Bool
    var timeout: TimeAmount = .seconds(3)

    func fetch(issuer: String) async -> ConnectionDiagnostics.MetadataOutcome {
        let url = ConnectionDiagnostics.wellKnownURL(issuer: issuer)
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            return .refused("the issuer is not a URL")
        }
        if !allowPrivateAddresses, let address = await OutboundAddresses.privateAddress(resolving: host) {
            let resolved = address == host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) ? "" : " (\(host) resolves to \(address))"
            return .refused("loopback, private and link-local addresses are not fetched by this server" + resolved)
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let seconds = Double(timeout.nanoseconds) / 1e9
        do {
            let response = try await metadataClient.execute(request, timeout: timeout)
            do {
                let body = try await response.body.collect(upTo: Self.maxBytes)
                return .response(status: Int(response.status.code), body: Array(body.readableBytesView))
            } catch is NIOTooManyBytesError {
                return .tooLarge(limit: Self.maxBytes)
            }
        } catch let error as HTTPClientError
            where [.deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout].contains(error) {
            return .timedOut(seconds: seconds)
        } catch let error as HTTPClientError {
            return .unreachable(String(describing: error))
        } catch {
            return .unreachable(Self.describe(error))
        }
    }

    /// A transport error as one short line (NIO's connection errors are verbose).
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("NXDOMAIN") || text.contains("lookup") || text.contains("DNS") { return "the host name does not resolve" }
        return String(text.prefix(200))
    }

    static func isPrivate(host: String) -> Bool { OutboundAddresses.isPrivate(host: host) }
}

/// One client for every diagnostics fetch, for the life of the process: no redirects (a
/// discovery document is served at its own URL, and a redirect could lead past the address
/// check), connect and read timeouts as short as the request's.
private let metadataClient = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup,
    configuration: HTTPClient.Configuration(
        redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: .seconds(3))))
