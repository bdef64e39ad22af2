import Crypto
import Foundation

/// A device's public key: an EC P-256 JWK (`kty` EC, `crv` P-256, `x`, `y`). Private
/// members (`d`) are refused, so a careless agent cannot ship its private key to us.
public struct DevicePublicKey: Sendable {
    public let x: String
    public let y: String
    public let key: P256.Signing.PublicKey

    /// The RFC 7638 SHA-256 thumbprint, base64url (DPoP `jkt`).
    public var thumbprint: String {
        // Members in lexicographic order, no whitespace (RFC 7638 §3.2).
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Base64URL.encode(Array(SHA256.hash(data: Array(canonical.utf8))))
    }

    /// The public JWK as stored on the credential.
    public var jwkJSON: String { #"{"kty":"EC","crv":"P-256","x":"\#(x)","y":"\#(y)"}"# }

    /// Parses a JWK given as its members (strings only are looked at).
    public init(jwk: [String: String], hasPrivateMember: Bool = false) throws(DeviceError) {
        if hasPrivateMember || jwk["d"] != nil { throw .invalidKey("the JWK carries a private member (d); send the public key only") }
        guard jwk["kty"] == "EC" else { throw .invalidKey("kty must be EC") }
        guard jwk["crv"] == "P-256" else { throw .invalidKey("crv must be P-256") }
        guard let x = jwk["x"], let y = jwk["y"], x.utf8.count <= 64, y.utf8.count <= 64,
              let xb = Base64URL.decode(x), let yb = Base64URL.decode(y), xb.count == 32, yb.count == 32
        else { throw .invalidKey("x and y must be base64url 32-byte coordinates") }
        guard let key = try? P256.Signing.PublicKey(rawRepresentation: xb + yb) else {
            throw .invalidKey("x and y are not a point on P-256")
        }
        // Re-encode so the thumbprint is over canonical base64url (no padding, no stray bits).
        self.x = Base64URL.encode(xb)
        self.y = Base64URL.encode(yb)
        self.key = key
    }

    /// From a stored public JWK (`DeviceCredential.publicJWK`).
    public init(storedJWK json: String) throws(DeviceError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw .invalidKey("stored JWK is not JSON")
        }
        try self.init(jwk: object.compactMapValues { $0 as? String })
    }
}

/// A compact JWS signed ES256, split and checked against a key.
public struct CompactJWS: Sendable {
    public let header: [String: String]
    public let payload: [UInt8]
    let signingInput: [UInt8]
    let signature: [UInt8]

    public static let maxLength = 16 * 1024

    public init(_ text: String) throws(DeviceError) {
        guard text.utf8.count <= Self.maxLength else { throw .badProof("the JWS is too large") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
              let payload = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2]))
        else { throw .badProof("not a compact JWS (header.payload.signature, base64url)") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw .badProof("the JWS header is not a JSON object")
        }
        header = object.compactMapValues { $0 as? String }
        self.payload = payload
        self.signature = signature
        signingInput = Array("\(parts[0]).\(parts[1])".utf8)
    }

    /// True when `alg` is ES256 and the signature verifies under `key`.
    public func verifies(with key: P256.Signing.PublicKey) -> Bool {
        guard header["alg"] == "ES256", signature.count == 64,
              let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
        return key.isValidSignature(sig, for: signingInput)
    }
}

public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.utf8.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base).map(Array.init)
    }
}
