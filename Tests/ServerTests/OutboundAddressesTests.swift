import Foundation
import Testing

@testable import Server

@Suite struct OutboundAddressesTests {
    /// A name this machine's /etc/hosts maps to loopback or a private address (every Debian
    /// machine and container has one besides `localhost`: its own host name, `ip6-localhost`).
    static func hostsFileNameOfAPrivateAddress() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/hosts", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 2, !fields[0].hasPrefix("#"), OutboundAddresses.isPrivate(host: fields[0]) else { continue }
            if let name = fields.dropFirst().first(where: { !$0.hasSuffix("localhost") && !$0.hasPrefix("#") }) { return name }
        }
        return nil
    }

    @Test func aHostNameThatResolvesInwardIsCaught() async throws {
        let name = try #require(Self.hostsFileNameOfAPrivateAddress(), "no private name in /etc/hosts")
        #expect(!OutboundAddresses.isPrivate(host: name), "the literal check alone does not see it")
        let address = try #require(await OutboundAddresses.privateAddress(resolving: name))
        #expect(OutboundAddresses.isPrivate(host: address))
    }

    @Test func webhookAndSharedSignalsPushesAreNotSentToANameThatResolvesInward() async throws {
        let name = try #require(Self.hostsFileNameOfAPrivateAddress())
        let deployed = HTTPWebhookTransport(allowPrivateAddresses: false)
        let refused = await deployed.post(url: "http://\(name):1/hook", headers: [], body: "{}")
        #expect(refused.statusCode == nil)
        #expect(refused.error?.contains("\(name) resolves to") == true)
        // A development server calls it (nothing listens on port 1: a connection error).
        let development = HTTPWebhookTransport(allowPrivateAddresses: true)
        let attempted = await development.post(url: "http://\(name):1/hook", headers: [], body: "{}")
        #expect(attempted.statusCode == nil)
        #expect(attempted.error?.contains("resolves to") == false)
    }

    @Test func literalsAndUnresolvableNames() async {
        #expect(await OutboundAddresses.privateAddress(resolving: "127.0.0.1") == "127.0.0.1")
        #expect(await OutboundAddresses.privateAddress(resolving: "[::1]") == "::1")
        #expect(await OutboundAddresses.privateAddress(resolving: "localhost") == "localhost")
        #expect(await OutboundAddresses.privateAddress(resolving: "93.184.216.34") == nil)
        // .invalid never resolves (RFC 6761): the request fails by itself later.
        #expect(await OutboundAddresses.privateAddress(resolving: "no-such-host.invalid") == nil)
    }
}
