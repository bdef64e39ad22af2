import Crypto
import Foundation

/// Client secrets: 32 bytes from the system CSPRNG, written base64url without padding
/// (43 characters), shown once and stored only as their SHA-256.
///
/// A password needs a slow KDF (bcrypt) because people choose guessable ones; a 256-bit
/// random secret cannot be guessed or brute-forced from its hash, so a fast hash is enough
/// and keeps the token endpoint fast. Comparison is constant-time over the digests.
public enum ClientSecrets {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = generator.next() }
        return Base64URL.encode(bytes)
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// True when `secret` hashes to `storedHash`; takes the same time wherever they differ.
    public static func matches(_ secret: String, storedHash: String) -> Bool {
        constantTimeEqual(Array(hash(secret).utf8), Array(storedHash.utf8))
    }

    /// Equal bytes, compared in a time that does not depend on where they differ (only on
    /// their lengths): for secrets, hashes and tokens a caller presents.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in constantTimeEqual(x, y) } }
    }

    /// The same over two strings' UTF-8, without copying them.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.withUTF8 { x in b.withUTF8 { y in constantTimeEqual(x, y) } }
    }

    public static func constantTimeEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Base64url without padding (RFC 4648 §5), as JOSE and our secrets use it.
public enum Base64URL {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
