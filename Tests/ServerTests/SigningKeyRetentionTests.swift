import Devices
import Identity
import Testing

@Suite struct SigningKeyRetentionTests {
    /// An offline lease is verified against JWKS until it expires, so a rotated-out key must
    /// stay published at least as long as a lease lives.
    @Test func retiredKeysOutliveEveryOfflineLeaseTheySigned() {
        #expect(AccessTokenLifetime.longestSignedLifetime == OfflineLeases.lifetime)
        #expect(AccessTokenLifetime.keyRetention >= OfflineLeases.lifetime + AccessTokenLifetime.leeway)
        #expect(AccessTokenLifetime.keyRetention >= AccessTokenLifetime.seconds + AccessTokenLifetime.leeway)
    }
}
