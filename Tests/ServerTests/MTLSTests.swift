import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Logging
import NIOCore
import Evaluator
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Server

/// Test certificates (EC P-256, valid until 2125), made once with openssl:
/// a client CA, a client certificate it issued (`CN=billing,O=Acme`) and a self-signed
/// certificate with the same subject.
enum TestCertificates {
    static let caPEM = """
-----BEGIN CERTIFICATE-----
MIIBxjCCAW2gAwIBAgIUf8gRvnKI8c2e/nT0b8OvZfzzkM4wCgYIKoZIzj0EAwIw
MDEVMBMGA1UECgwMQXJiaXRlciBUZXN0MRcwFQYDVQQDDA5UZXN0IENsaWVudCBD
QTAgFw0yNjExMjkwNTUwMzRaGA8yMTI2MTEwNTA1NTAzNFowMDEVMBMGA1UECgwM
QXJiaXRlciBUZXN0MRcwFQYDVQQDDA5UZXN0IENsaWVudCBDQTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABO4H5vxhDM8fPeDyqyEniFDVj1A3oNyjw3bGLFoGamCh
i9ciT3k71EM+1ZgDiVSKp4nyZMRiZSdLR7sMOXEj4BSjYzBhMB0GA1UdDgQWBBTp
Y2kqiyuNiuby+6XmE4FN9ieRVDAfBgNVHSMEGDAWgBTpY2kqiyuNiuby+6XmE4FN
9ieRVDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQD
AgNHADBEAiBKHchlurVp2/NG2o+Y461JRrJsVgilZ7Y9eVSEkkb06gIgW7+8uVUq
rIHrQUph0h8otiXz7JfdVVAsavbKH3qQoHk=
-----END CERTIFICATE-----
"""
    static let clientPEM = """
-----BEGIN CERTIFICATE-----
MIIBxzCCAW2gAwIBAgIUDoHs8xAVXPIAEi/UzPilbmrMl1swCgYIKoZIzj0EAwIw
MDEVMBMGA1UECgwMQXJiaXRlciBUZXN0MRcwFQYDVQQDDA5UZXN0IENsaWVudCBD
QTAgFw0yNjExMjkwNTUwMzRaGA8yMTI2MTEwNTA1NTAzNFowITENMAsGA1UECgwE
QWNtZTEQMA4GA1UEAwwHYmlsbGluZzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA
BI+SMZl4yqtsJvEwXJ1Ke9vWxknbhGxdDmMa2P5iX+8fGlDxLrBwREmaxQbe4MF1
Npdy0Xj9LXP9i/hLp8FAZXmjcjBwMAkGA1UdEwQCMAAwDgYDVR0PAQH/BAQDAgeA
MBMGA1UdJQQMMAoGCCsGAQUFBwMCMB0GA1UdDgQWBBSw2QRlzye8xzBk6DMHu8sc
FbF7gzAfBgNVHSMEGDAWgBTpY2kqiyuNiuby+6XmE4FN9ieRVDAKBggqhkjOPQQD
AgNIADBFAiEAkEOAE4FOzN5zHw62loorzaKxS3bSSCIpnIJmmkEMTFsCIFn7zO/u
FzIr+huHbHVs3Ir6zWFyyMXVf5lTWZXCt+uI
-----END CERTIFICATE-----
"""
    static let selfSignedPEM = """
-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUUnhFLclipm+x9RciZEp9iwVPZtswCgYIKoZIzj0EAwIw
ITENMAsGA1UECgwEQWNtZTEQMA4GA1UEAwwHYmlsbGluZzAgFw0yNjExMjkwNTUw
MzRaGA8yMTI2MTEwNTA1NTAzNFowITENMAsGA1UECgwEQWNtZTEQMA4GA1UEAwwH
YmlsbGluZzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGBj7CDFMVsUvM2a5VUT
zD9uB+yfPblreNaAczLrhkD0i8GO0l8nIKj4OxRV21UQdGIjPf4FzduSQVEWkjFy
gQOjTTBLMB0GA1UdDgQWBBRqiU4XxXy2MJiHVh4TM2qstLQFRjAfBgNVHSMEGDAW
gBRqiU4XxXy2MJiHVh4TM2qstLQFRjAJBgNVHRMEAjAAMAoGCCqGSM49BAMCA0cA
MEQCIAiV+lqjGR+8HHarxWnYF96+B5gCMYJ1ibr8IajjDISNAiAHUh3v7XxvPXX2
Vu9zuAfk32JQHnn31eapCoVjuJZe8g==
-----END CERTIFICATE-----
"""
    /// `openssl x509 -outform der | openssl dgst -sha256 -binary | basenc --base64url`
    static let clientThumbprint = "FcnHfLRDvIk5CiBrSJGIGxwRu5gpaoBgajixkv8dFY0"
    static let selfSignedThumbprint = "AQQzHLGIOyx5DnFF8qdfuuDqSNr9a5CVmLSI34KipQo"

    static func der(_ pem: String) -> [UInt8] {
        ClientCertificate.forwardedDER(pem)!
    }

    /// As nginx's `$ssl_client_escaped_cert` sends it.
    static func escaped(_ pem: String) -> String {
        pem.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~")))!
    }
}

/// An app like `TestApp`, with TLS-related settings: a client CA file and trusted proxies.
/// It speaks plain HTTP (the Python e2e test drives real TLS), so certificates arrive
/// through the forwarded header, which is exactly what the trusted-proxy rule governs.
struct MTLSTestApp {
    let directory = TemporaryDirectory()
    let environment: Store.Environment
    let services: ArbiterApplication.Services
    let configuration: ServerConfiguration
    let tenantId: String

    init(trustedProxies: [String]) async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory.path + "/data"
        configuration.passwordHashCost = 4
        let caPath = directory.path + "/client-ca.crt"
        try TestCertificates.caPEM.write(toFile: caPath, atomically: true, encoding: .utf8)
        configuration.clientCAFile = caPath
        configuration.trustedProxies = trustedProxies
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        environment = try Store.Environment(path: configuration.dataDirectory)
        let policies = PolicyBuild.build(directory: TestApp.repositoryRoot + "/Policies")
        services = try ArbiterApplication.Services(
            environment: environment, configuration: configuration,
            builtInPolicies: Program(bundle: try #require(policies.bundle)))
        tenantId = try await services.registrar.register(TenantRegistration(
            tenantName: "Acme", tenantSlug: "acme", userName: "admin", email: "admin@acme.example",
            password: "ChangeThisPassword123!", planCode: "developer")).tenantId
    }

    func client(_ binding: ClientCertificateBinding) async throws -> OAuthClient {
        let clients = services.clients
        let application = try await clients.createApplication(tenantId: tenantId, name: "Billing", actor: "test")
        let issued = try await clients.createClient(
            tenantId: tenantId, applicationId: application.id,
            ClientRegistration(name: "Billing mTLS", purpose: .automation, scopes: ["arbiter.api", "tenant_context"], certificate: binding),
            grantor: .operator, actor: "test")
        #expect(!issued.hasSecret)
        return issued.client
    }

    func test<T>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = ArbiterApplication.make(services: services, configuration: configuration, logger: logger)
        return try await app.test(.live, body)
    }
}

func forwarded(_ pem: String?, header: String = "X-SSL-Client-Cert") -> HTTPFields {
    var headers = formHeaders
    if let pem { headers[HTTPField.Name(header)!] = TestCertificates.escaped(pem) }
    return headers
}

/// The JSON payload of a JWT, unverified (the signature is the verifier's tests' business).
func mtlsClaims(_ token: String) -> [String: Any] {
    let parts = token.split(separator: ".")
    guard parts.count == 3, let bytes = Base64URL.decode(parts[1]) else { return [:] }
    return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}

@Suite struct MTLSMatchingTests {
    @Test func certificateThumbprintAndSubjectComeFromTheDER() throws {
        let client = try #require(ClientCertificate(der: TestCertificates.der(TestCertificates.clientPEM), chainedToClientCA: true, source: .tls))
        #expect(client.thumbprint == TestCertificates.clientThumbprint)
        #expect(client.subjectDN == "CN=billing,O=Acme")
        let selfSigned = try #require(ClientCertificate(der: TestCertificates.der(TestCertificates.selfSignedPEM), chainedToClientCA: false, source: .tls))
        #expect(selfSigned.thumbprint == TestCertificates.selfSignedThumbprint)
        #expect(ClientCertificate(der: [0x30, 0x03, 0x02, 0x01, 0x01], chainedToClientCA: false, source: .tls) == nil)
    }

    @Test func forwardedHeaderFormsAllGiveTheSameDER() {
        let der = TestCertificates.der(TestCertificates.clientPEM)
        #expect(ClientCertificate.forwardedDER(TestCertificates.escaped(TestCertificates.clientPEM)) == der)
        // nginx's older $ssl_client_cert: tabs where the line breaks were.
        #expect(ClientCertificate.forwardedDER(TestCertificates.clientPEM.replacingOccurrences(of: "\n", with: "\n\t")) == der)
        #expect(ClientCertificate.forwardedDER(Data(der).base64EncodedString()) == der)
        #expect(ClientCertificate.forwardedDER("not a certificate!") == nil)
        #expect(ClientCertificate.forwardedDER(String(repeating: "A", count: 20_000)) == nil)
    }

    @Test func subjectDNMatchesOnlyWhenChainedToTheClientCA() throws {
        let binding = ClientCertificateBinding(subjectDN: "CN=billing,O=Acme")
        var certificate = try #require(ClientCertificate(der: TestCertificates.der(TestCertificates.clientPEM), chainedToClientCA: true, source: .tls))
        #expect(ClientCertificateMatch.matches(binding, certificate))
        // Spelling differences that RFC 4514/4517 treat as the same name.
        #expect(ClientCertificateMatch.matches(ClientCertificateBinding(subjectDN: "cn=Billing, o=ACME"), certificate))
        #expect(ClientCertificateMatch.matches(ClientCertificateBinding(subjectDN: "2.5.4.3=billing,2.5.4.10=Acme"), certificate))
        #expect(!ClientCertificateMatch.matches(ClientCertificateBinding(subjectDN: "CN=billing,O=Acme Corp"), certificate))
        #expect(!ClientCertificateMatch.matches(ClientCertificateBinding(subjectDN: "O=Acme,CN=billing"), certificate))
        #expect(!ClientCertificateMatch.matches(ClientCertificateBinding(subjectDN: "CN=billing"), certificate))
        // The same subject in a certificate that did not chain to the CA is not enough.
        certificate.chainedToClientCA = false
        #expect(!ClientCertificateMatch.matches(binding, certificate))
    }

    @Test func thumbprintMatchesOnlyThatCertificate() throws {
        let selfSigned = try #require(ClientCertificate(der: TestCertificates.der(TestCertificates.selfSignedPEM), chainedToClientCA: false, source: .tls))
        let issued = try #require(ClientCertificate(der: TestCertificates.der(TestCertificates.clientPEM), chainedToClientCA: true, source: .tls))
        let binding = ClientCertificateBinding(thumbprintS256: TestCertificates.selfSignedThumbprint)
        #expect(ClientCertificateMatch.matches(binding, selfSigned))
        #expect(!ClientCertificateMatch.matches(binding, issued))
        #expect(ClientCertificateMatch.boundTokenMatches(thumbprint: TestCertificates.clientThumbprint, issued))
        #expect(!ClientCertificateMatch.boundTokenMatches(thumbprint: TestCertificates.clientThumbprint, selfSigned))
        #expect(!ClientCertificateMatch.boundTokenMatches(thumbprint: TestCertificates.clientThumbprint, nil))
    }

    @Test func distinguishedNamesWithEscapesNormalize() {
        #expect(ClientCertificateMatch.normalizedDN("CN=a\\,b, O=x") == ClientCertificateMatch.normalizedDN("cn=A\\2Cb,o=X"))
        #expect(ClientCertificateMatch.normalizedDN("CN=a,b") == nil)
        #expect(ClientCertificate.escape("Acme, Inc.") == "Acme\\, Inc.")
    }

    @Test func operatorThumbprintMayBeHex() {
        // openssl x509 -noout -fingerprint -sha256 of the client certificate.
        let hex = Base64URL.decode(TestCertificates.clientThumbprint)!
            .map { String(format: "%02X", $0) }.joined(separator: ":")
        #expect(ClientCertificate.binding(subjectDN: nil, thumbprint: hex)?.thumbprintS256 == TestCertificates.clientThumbprint)
        #expect(ClientCertificate.binding(subjectDN: nil, thumbprint: TestCertificates.clientThumbprint)?.thumbprintS256 == TestCertificates.clientThumbprint)
        #expect(ClientCertificate.binding(subjectDN: nil, thumbprint: nil) == nil)
    }

    @Test func clientCAVerifierChainsOnlyItsOwnCertificates() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/ca.crt"
        try TestCertificates.caPEM.write(toFile: path, atomically: true, encoding: .utf8)
        let verifier = try ClientCAVerifier(pemFile: path)
        #expect(await verifier.chains(der: TestCertificates.der(TestCertificates.clientPEM)))
        #expect(!(await verifier.chains(der: TestCertificates.der(TestCertificates.selfSignedPEM))))
        #expect(!(await verifier.chains(der: [1, 2, 3])))
    }

    @Test func trustedProxiesMatchAddressesAndBlocks() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"])
        func peer(_ ip: String) -> SocketAddress { try! SocketAddress(ipAddress: ip, port: 40000) }
        #expect(proxies.contains(peer("10.1.2.3")))
        #expect(proxies.contains(peer("192.168.1.7")))
        #expect(!proxies.contains(peer("192.168.1.8")))
        #expect(!proxies.contains(peer("11.0.0.1")))
        #expect(proxies.contains(peer("fd12::1")))
        #expect(proxies.contains(peer("::1")))
        #expect(proxies.contains(peer("::ffff:10.9.9.9")))
        #expect(!proxies.contains(peer("127.0.0.1")))
        #expect(!proxies.contains(nil))
        #expect(!(try TrustedProxies([])).contains(peer("127.0.0.1")))
        for bad in ["10.0.0.0/33", "example.com", "10.0.0", "::1/129", "10.0.0.1/x", ""] {
            #expect(throws: ConfigurationError.self) { try TrustedProxies([bad]) }
        }
    }
}

@Suite struct MTLSConfigurationTests {
    @Test func settingsComeFromEnvironmentAndYAML() throws {
        var configuration = ServerConfiguration()
        try configuration.apply(environment: [
            "ARBITER_TLS_CERT": "/etc/a.crt", "ARBITER_TLS_KEY": "/etc/a.key", "ARBITER_CLIENT_CA": "/etc/ca.crt",
            "ARBITER_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1", "ARBITER_CLIENT_CERT_HEADER": "X-Client-Cert",
        ])
        #expect(configuration.tlsCertificateFile == "/etc/a.crt")
        #expect(configuration.tlsKeyFile == "/etc/a.key")
        #expect(configuration.clientCAFile == "/etc/ca.crt")
        #expect(configuration.trustedProxies == ["10.0.0.0/8", "127.0.0.1"])
        #expect(configuration.clientCertificateHeader == "X-Client-Cert")
        #expect(configuration.publicBaseURL == "https://127.0.0.1:8080")
        try configuration.validateTLS()

        let directory = TemporaryDirectory()
        let path = directory.path + "/arbiter.yaml"
        try "trustedProxies:\n  - 10.1.0.0/16\n  - ::1\nclientCertHeader: X-SSL-Client-Cert\n".write(toFile: path, atomically: true, encoding: .utf8)
        var fromFile = ServerConfiguration()
        try fromFile.apply(configFile: path)
        #expect(fromFile.trustedProxies == ["10.1.0.0/16", "::1"])
        #expect(fromFile.publicBaseURL == "http://127.0.0.1:8080")
    }

    @Test func badSettingsAreClearErrors() throws {
        var configuration = ServerConfiguration()
        #expect(throws: ConfigurationError.self) { try configuration.set("trustedProxies", "10.0.0.0/99", origin: "--trusted-proxy") }
        #expect(throws: ConfigurationError.self) { try configuration.set("clientCertHeader", "bad header", origin: "--client-cert-header") }
        try configuration.set("tlsCert", "/nowhere/server.crt", origin: "--tls-cert")
        #expect(throws: ConfigurationError.self) { try configuration.validateTLS() }
        try configuration.set("tlsKey", "/nowhere/server.key", origin: "--tls-key")
        try configuration.validateTLS()
        do {
            _ = try ServerTLS(configuration: configuration)
            Issue.record("a missing certificate file must stop the start")
        } catch {
            #expect(error.description.contains("/nowhere/server.crt"))
        }
        var caOnly = ServerConfiguration()
        caOnly.clientCAFile = "/nowhere/ca.crt"
        #expect(throws: ConfigurationError.self) { try ServerTLS(configuration: caOnly) }
        let directory = TemporaryDirectory()
        let notPEM = directory.path + "/ca.crt"
        try "hello".write(toFile: notPEM, atomically: true, encoding: .utf8)
        caOnly.clientCAFile = notPEM
        do {
            _ = try ServerTLS(configuration: caOnly)
            Issue.record("a client CA file without certificates must stop the start")
        } catch {
            #expect(error.description.contains(notPEM))
        }
    }
}

@Suite struct MTLSRouteTests {
    @Test func mtlsEndpointIssuesBoundTokensToCertificateClients() async throws {
        let app = try await MTLSTestApp(trustedProxies: ["127.0.0.1", "::1"])
        let dnClient = try await app.client(ClientCertificateBinding(subjectDN: "CN=billing,O=Acme"))
        let thumbClient = try await app.client(ClientCertificateBinding(thumbprintS256: TestCertificates.selfSignedThumbprint))
        try await app.test { client in
            // tls_client_auth: CA-issued certificate with the registered subject.
            let issued = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.clientPEM),
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(issued.status == .ok)
            #expect(issued.headers[.cacheControl] == "no-store")
            let token = try #require(issued.json["access_token"] as? String)
            let claims = mtlsClaims(token)
            #expect((claims["cnf"] as? [String: Any])?["x5t#S256"] as? String == TestCertificates.clientThumbprint)
            #expect(claims["client_id"] as? String == dnClient.clientId)

            // The global alias works too; the tenant is the client's.
            let global = try await client.execute(
                uri: "/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.clientPEM),
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(global.status == .ok)

            // Same subject, but self-signed: not from the client CA.
            let selfSigned = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.selfSignedPEM),
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(selfSigned.status == .unauthorized)
            #expect(selfSigned.json["error"] as? String == "invalid_client")

            // self_signed_tls_client_auth: the thumbprint decides.
            let byThumbprint = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.selfSignedPEM),
                body: form(["grant_type": "client_credentials", "client_id": thumbClient.clientId]))
            #expect(byThumbprint.status == .ok)
            let thumbToken = try #require(byThumbprint.json["access_token"] as? String)
            #expect((mtlsClaims(thumbToken)["cnf"] as? [String: Any])?["x5t#S256"] as? String == TestCertificates.selfSignedThumbprint)
            let wrongCertificate = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.clientPEM),
                body: form(["grant_type": "client_credentials", "client_id": thumbClient.clientId]))
            #expect(wrongCertificate.status == .unauthorized)

            // No certificate at all: refused before any grant.
            let none = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(none.status == .unauthorized)
            #expect(none.json["error"] as? String == "invalid_client")

            // The plain token endpoint: the mTLS client authenticates with its certificate, but
            // the token is not bound; without the certificate it cannot authenticate.
            let plain = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: forwarded(TestCertificates.clientPEM),
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(plain.status == .ok)
            #expect(mtlsClaims(plain.json["access_token"] as? String ?? "")["cnf"] == nil)
            let plainNoCertificate = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(plainNoCertificate.status == .unauthorized)
            #expect(plainNoCertificate.json["error"] as? String == "invalid_client")
        }
    }

    @Test func boundTokenNeedsItsCertificateAtBearerRoutes() async throws {
        let app = try await MTLSTestApp(trustedProxies: ["127.0.0.1", "::1"])
        let dnClient = try await app.client(ClientCertificateBinding(subjectDN: "CN=billing,O=Acme"))
        try await app.test { client in
            let issued = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.clientPEM),
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            let token = try #require(issued.json["access_token"] as? String)
            func introspect(certificate: String?) async throws -> TestResponse {
                var headers = forwarded(certificate)
                headers[.authorization] = "Bearer " + token
                return try await client.execute(
                    uri: "/t/acme/connect/introspect", method: .post, headers: headers, body: form(["token": token]))
            }
            let without = try await introspect(certificate: nil)
            #expect(without.status == .unauthorized)
            #expect(without.json["error"] as? String == "invalid_token")
            #expect(without.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let otherCertificate = try await introspect(certificate: TestCertificates.selfSignedPEM)
            #expect(otherCertificate.status == .unauthorized)
            let with = try await introspect(certificate: TestCertificates.clientPEM)
            #expect(with.status == .ok)
            #expect(with.json["active"] as? Bool == true)
            #expect((with.json["cnf"] as? [String: Any])?["x5t#S256"] as? String == TestCertificates.clientThumbprint)
        }
    }

    @Test func forwardedCertificateFromAnUntrustedPeerIsIgnored() async throws {
        // 127.0.0.1 is not a trusted proxy here, so the header counts for nothing.
        let app = try await MTLSTestApp(trustedProxies: ["10.0.0.0/8"])
        let dnClient = try await app.client(ClientCertificateBinding(subjectDN: "CN=billing,O=Acme"))
        try await app.test { client in
            let refused = try await client.execute(
                uri: "/t/acme/connect/mtls/token", method: .post, headers: forwarded(TestCertificates.clientPEM),
                body: form(["grant_type": "client_credentials", "client_id": dnClient.clientId]))
            #expect(refused.status == .unauthorized)
            #expect(refused.json["error"] as? String == "invalid_client")
        }
    }

    @Test func discoveryAdvertisesTheMTLSAlias() async throws {
        let app = try await MTLSTestApp(trustedProxies: [])
        try await app.test { client in
            let document = try await client.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get).json
            let issuer = try #require(document["issuer"] as? String)
            #expect((document["mtls_endpoint_aliases"] as? [String: Any])?["token_endpoint"] as? String == issuer + "/connect/mtls/token")
            #expect(document["tls_client_certificate_bound_access_tokens"] as? Bool == true)
            let methods = try #require(document["token_endpoint_auth_methods_supported"] as? [String])
            #expect(methods.contains("tls_client_auth") && methods.contains("self_signed_tls_client_auth"))
        }
    }
}
