import Crypto
import Devices
import Foundation
import Store
import Testing
import TestSupport

/// Certificates and keys made by `openssl` at test time, parsed the way uploads are.
struct OpenSSL {
    let directory = TemporaryDirectory("openssl")

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLFailed(arguments: arguments) }
        return String(decoding: data, as: UTF8.self)
    }

    struct OpenSSLFailed: Error { var arguments: [String] }

    func read(_ name: String) throws -> String { try String(contentsOfFile: directory.subpath(name), encoding: .utf8) }

    /// A self-signed P-256 certificate (`name.pem`, key `name.key`).
    func selfSigned(_ name: String, subject: String, days: Int) throws -> String {
        try run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
            "-out", "\(name).pem", "-days", String(days), "-subj", subject,
        ])
        return try read("\(name).pem")
    }

    /// A leaf signed by the CA `ca` (made with `selfSigned`).
    func signed(_ name: String, by ca: String, subject: String, days: Int) throws -> String {
        try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
        try run([
            "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-CAcreateserial",
            "-out", "\(name).pem", "-days", String(days),
        ])
        return try read("\(name).pem")
    }

    /// What openssl itself says about a certificate: serial (hex), x5t#S256, not-after.
    func facts(_ name: String) throws -> (serial: String, thumbprint: String, notAfter: Date) {
        let serial = try run(["x509", "-in", "\(name).pem", "-noout", "-serial"])
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "").lowercased()
        try run(["x509", "-in", "\(name).pem", "-outform", "DER", "-out", "\(name).der"])
        let der = try Data(contentsOf: URL(fileURLWithPath: directory.subpath("\(name).der")))
        let thumbprint = Data(SHA256.hash(data: der)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let end = try run(["x509", "-in", "\(name).pem", "-noout", "-enddate", "-dateopt", "iso_8601"])
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "notAfter=", with: "")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return (serial, thumbprint, try #require(formatter.date(from: end)))
    }
}

@Suite struct CredentialParsingTests {
    @Test func selfSignedCertificateMetadataMatchesOpenSSL() throws {
        let openssl = OpenSSL()
        let pem = try openssl.selfSigned("device", subject: "/O=Acme Devices/CN=laptop-42", days: 365)
        let metadata = try CertificateParser.metadata(pem: pem)
        let facts = try openssl.facts("device")
        #expect(metadata.subject.contains("CN=laptop-42"))
        #expect(metadata.subject.contains("O=Acme Devices"))
        #expect(metadata.issuer == metadata.subject)
        #expect(metadata.serialNumber == facts.serial)
        #expect(metadata.sha256Thumbprint == facts.thumbprint)
        #expect(abs(metadata.notAfter.timeIntervalSince(facts.notAfter)) < 1)
        #expect(abs(metadata.notAfter.timeIntervalSince(metadata.notBefore) - 365 * 86400) < 2)
        // 60 days or longer: the warning starts 30 days before expiry.
        #expect(metadata.expiryWarningAt == metadata.notAfter.addingTimeInterval(-30 * 86400))
        #expect(try CredentialMaterial.certificatePEM(pem).kind == .x509)
    }

    @Test func caSignedLeafNamesItsIssuerAndShortLivesWarnAtTheirMidpoint() throws {
        let openssl = OpenSSL()
        _ = try openssl.selfSigned("ca", subject: "/O=Acme/CN=Acme Device CA", days: 3650)
        let pem = try openssl.signed("leaf", by: "ca", subject: "/O=Acme/CN=phone-7", days: 20)
        let metadata = try CertificateParser.metadata(pem: pem)
        #expect(metadata.subject.contains("CN=phone-7"))
        #expect(metadata.issuer.contains("CN=Acme Device CA"))
        let facts = try openssl.facts("leaf")
        #expect(metadata.serialNumber == facts.serial)
        #expect(metadata.sha256Thumbprint == facts.thumbprint)
        let midpoint = metadata.notBefore.addingTimeInterval(metadata.notAfter.timeIntervalSince(metadata.notBefore) / 2)
        #expect(metadata.expiryWarningAt == midpoint)
    }

    @Test func badUploadsAreRefusedWithAReason() throws {
        let openssl = OpenSSL()
        let pem = try openssl.selfSigned("one", subject: "/CN=one", days: 30)
        let other = try openssl.selfSigned("two", subject: "/CN=two", days: 30)
        let key = try openssl.read("one.key")

        func message(_ text: String, now: Date = Date()) -> String? {
            do {
                _ = try CertificateParser.metadata(pem: text, now: now)
                return nil
            } catch {
                guard case .invalidCertificate(let message) = error else { return "wrong error \(error)" }
                return message
            }
        }
        #expect(message(pem + other)?.contains("exactly one") == true)
        #expect(message(pem + key)?.contains("private key") == true)
        #expect(message("hello")?.contains("not a PEM") == true)
        #expect(message("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----")?.contains("base64") == true)
        #expect(message("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")?.contains("not an X.509") == true)
        #expect(message(String(repeating: "A", count: CertificateParser.maxPEMBytes + 1))?.contains("larger") == true)
        #expect(message(pem, now: Date().addingTimeInterval(31 * 86400))?.contains("expired") == true)
        #expect(message(pem) == nil)
    }

    @Test func publicKeyPEMAndJWKOfOneKeyShareTheirThumbprint() throws {
        let openssl = OpenSSL()
        try openssl.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "p256.key"])
        try openssl.run(["ec", "-in", "p256.key", "-pubout", "-out", "p256.pub"])
        let pem = try openssl.read("p256.pub")
        let fromPEM = try CredentialMaterial.publicKeyPEM(pem)
        #expect(fromPEM.kind == .jwk)

        let key = try P256.Signing.PublicKey(pemRepresentation: pem)
        let raw = Array(key.rawRepresentation)
        func b64(_ bytes: ArraySlice<UInt8>) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let jwk = ["kty": "EC", "crv": "P-256", "x": b64(raw[0..<32]), "y": b64(raw[32..<64])]
        let fromJWK = try CredentialMaterial.jwk(members: jwk, hasPrivateMember: false)
        #expect(fromPEM.thumbprint == fromJWK.thumbprint)
        // RFC 7638 by hand: the required members in lexicographic order, no whitespace.
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(jwk["x"]!)","y":"\#(jwk["y"]!)"}"#
        #expect(fromJWK.thumbprint == b64(Array(SHA256.hash(data: Array(canonical.utf8)))[...]))

        #expect(throws: DeviceCredentialError.self) { try CredentialMaterial.jwk(members: jwk.merging(["d": "AAAA"]) { $1 }, hasPrivateMember: false) }
        #expect(throws: DeviceCredentialError.self) { try CredentialMaterial.publicKeyPEM(try openssl.read("p256.key")) }
        try openssl.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key"])
        try openssl.run(["pkey", "-in", "rsa.key", "-pubout", "-out", "rsa.pub"])
        #expect(throws: DeviceCredentialError.self) { try CredentialMaterial.publicKeyPEM(try openssl.read("rsa.pub")) }
    }
}
