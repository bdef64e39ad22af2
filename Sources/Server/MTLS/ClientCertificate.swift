import Crypto
import Foundation
import Identity
import X509

/// A client certificate a request presented (RFC 8705): in its own TLS handshake, or
/// forwarded by a trusted reverse proxy that terminated TLS. The TLS handshake has
/// already proved possession of its private key (CertificateVerify), so the thumbprint
/// alone is enough to bind a token to it; `chainedToClientCA` says whether it also
/// verified against the configured client CA, which `tls_client_auth` needs.
public struct ClientCertificate: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// This server's own TLS handshake.
        case tls
        /// A header set by a proxy listed in `trustedProxies`.
        case forwarded
    }

    /// The certificate's DER bytes.
    public var der: [UInt8]
    /// `x5t#S256`: base64url SHA-256 of `der`.
    public var thumbprint: String
    /// The subject as an RFC 4514 string (most specific RDN first), e.g. `CN=billing,O=Acme`.
    public var subjectDN: String
    /// True when the certificate chains to the configured client CA.
    public var chainedToClientCA: Bool
    public var source: Source

    /// Parses the DER bytes; nil when they are not an X.509 certificate.
    public init?(der: [UInt8], chainedToClientCA: Bool, source: Source) {
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        self.der = der
        thumbprint = Self.thumbprint(der: der)
        subjectDN = Self.rfc4514(certificate.subject)
        self.chainedToClientCA = chainedToClientCA
        self.source = source
    }

    public static func thumbprint(der: some Collection<UInt8>) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(der))))
    }

    /// RFC 4514: RDNs most specific first, values escaped. swift-certificates' own
    /// `description` does not escape, so `O=Acme, Inc.` would read as two RDNs.
    static func rfc4514(_ name: DistinguishedName) -> String {
        name.reversed().map { rdn in
            rdn.map { attribute in
                let type = String(describing: attribute).prefix { $0 != "=" }
                return type + "=" + escape(String(describing: attribute.value))
            }.joined(separator: "+")
        }.joined(separator: ",")
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for (offset, character) in value.enumerated() {
            let special = ",+\"<>;\\".contains(character)
                || (offset == 0 && (character == "#" || character == " "))
                || (offset == value.count - 1 && character == " ")
            if special { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// The largest forwarded-certificate header read; a PEM certificate is a few KiB.
    static let maxForwardedBytes = 16 * 1024

    /// The DER bytes of a forwarded certificate header: URL-encoded PEM (nginx
    /// `$ssl_client_escaped_cert`), plain PEM (with tabs or spaces where line breaks
    /// were), or bare base64 DER. Nil when it is none of these.
    static func forwardedDER(_ value: String) -> [UInt8]? {
        guard value.utf8.count <= maxForwardedBytes else { return nil }
        let decoded = value.contains("%") ? (value.removingPercentEncoding ?? value) : value
        if let begin = decoded.range(of: "-----BEGIN CERTIFICATE-----"),
           let end = decoded.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<decoded.endIndex) {
            let body = decoded[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
            return Data(base64Encoded: String(body)).map(Array.init)
        }
        let compact = decoded.filter { !$0.isWhitespace }
        guard !compact.isEmpty else { return nil }
        return Data(base64Encoded: compact).map(Array.init)
    }
}

/// How a presented certificate is matched to a registered mTLS client (RFC 8705 §2.1).
enum ClientCertificateMatch {
    /// `tls_client_auth`: the certificate chains to the client CA and its subject DN equals
    /// the registered one. `self_signed_tls_client_auth`: its thumbprint equals the
    /// registered one (compared in constant time).
    static func matches(_ binding: ClientCertificateBinding, _ certificate: ClientCertificate) -> Bool {
        if let expected = binding.thumbprintS256 {
            return ClientSecrets.constantTimeEqual(expected, certificate.thumbprint)
        }
        if let expected = binding.subjectDN {
            guard certificate.chainedToClientCA,
                  let wanted = normalizedDN(expected), let presented = normalizedDN(certificate.subjectDN)
            else { return false }
            return ClientSecrets.constantTimeEqual(wanted, presented)
        }
        return false
    }

    /// Whether a token bound to `thumbprint` may be used by a request presenting `certificate`.
    static func boundTokenMatches(thumbprint: String, _ certificate: ClientCertificate?) -> Bool {
        guard let certificate else { return false }
        return ClientSecrets.constantTimeEqual(thumbprint, certificate.thumbprint)
    }

    /// An RFC 4514 DN reduced to one canonical spelling, so `CN=billing, O=Acme` and
    /// `cn=billing,o=acme` compare equal: attribute types upper-cased and OIDs of the
    /// common ones named, no space around `=`, `,` or `+`, values case-folded (the usual
    /// DN attributes use caseIgnoreMatch, RFC 4517) with inner runs of spaces collapsed.
    /// Nil when it is not a DN.
    static func normalizedDN(_ text: String) -> String? {
        var rdns: [String] = []
        for rdn in split(text, on: ",") {
            var attributes: [String] = []
            for attribute in split(rdn, on: "+") {
                guard let equals = attribute.firstIndex(of: "=") else { return nil }
                var type = attribute[..<equals].trimmingCharacters(in: .whitespaces).uppercased()
                if type.hasPrefix("OID.") { type.removeFirst(4) }
                type = oidNames[type] ?? type
                let value = attribute[attribute.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                guard !type.isEmpty, let raw = unescape(value) else { return nil }
                let folded = raw.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ").lowercased()
                attributes.append(type + "=" + ClientCertificate.escape(folded))
            }
            rdns.append(attributes.sorted().joined(separator: "+"))
        }
        return rdns.isEmpty ? nil : rdns.joined(separator: ",")
    }

    /// A value with its RFC 4514 escapes (`\,` and `\2C`) undone; nil when malformed.
    private static func unescape(_ value: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(value.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "\\") else { bytes.append(byte); continue }
            guard let next = utf8.popFirst() else { return nil }
            if let high = hexValue(next), let peek = utf8.first, let low = hexValue(peek) {
                utf8.removeFirst()
                bytes.append(high << 4 | low)
            } else {
                bytes.append(next)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Splits on a separator that is not escaped with a backslash (RFC 4514 §2.4).
    private static func split(_ text: some StringProtocol, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static let oidNames = [
        "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
        "2.5.4.10": "O", "2.5.4.11": "OU", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
        "1.2.840.113549.1.9.1": "EMAILADDRESS", "E": "EMAILADDRESS", "EMAIL": "EMAILADDRESS", "S": "ST",
    ]
}

extension ClientCertificate {
    /// The certificate binding the operator asked for with `--tls-subject-dn` or
    /// `--tls-thumbprint`; a hex thumbprint (`AB:CD:…`, as openssl prints it) is turned
    /// into base64url. Nil when neither was given.
    static func binding(subjectDN: String?, thumbprint: String?) -> ClientCertificateBinding? {
        guard subjectDN != nil || thumbprint != nil else { return nil }
        var normalized = thumbprint
        if let thumbprint {
            let hex = thumbprint.filter { $0 != ":" }
            if hex.count == 64, hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) {
                var bytes: [UInt8] = []
                var index = hex.startIndex
                while index < hex.endIndex {
                    let next = hex.index(index, offsetBy: 2)
                    bytes.append(UInt8(hex[index..<next], radix: 16)!)
                    index = next
                }
                normalized = Base64URL.encode(bytes)
            }
        }
        return ClientCertificateBinding(subjectDN: subjectDN, thumbprintS256: normalized)
    }
}
