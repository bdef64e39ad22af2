import Foundation
import HummingbirdTesting
import Identity
import Testing
@testable import Server

/// A token's `perm_ver` must equal what `check` reports for its subject, also after a
/// tenant policy bundle was activated (the policy epoch is part of both).
@Suite struct TokenVersionTests {
    static let bundle = """
        kind: policy
        id: documents
        rules:
          - id: users-view-documents
            effect: allow
            principal: User
            actions: [view]
            resource: Document
        """

    @Test func newTokensCarryThePermVerChecksReport() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let verified = try await m.services.tokenVerifier.verify(admin)
        let sessionId = try #require(verified.claims.session_id)
        let session = try #require(try m.services.sessions.session(tenantId: verified.tenantId, id: sessionId))
        try await m.test { client in
            let before = try await client.call(.post, "/api/runtime/authorization/check", admin, ["action": "view"])
            let permBefore = try #require(before.json["permVer"] as? Int)
            #expect(Int(try m.services.tokenSubject(of: session).versions.permVer) == permBefore)

            let uploaded = try await client.call(.put, "/api/runtime/policies", admin, ["files": ["documents.yaml": Self.bundle]])
            #expect(uploaded.status == .created)
            let after = try await client.call(.post, "/api/runtime/authorization/check", admin, ["action": "view"])
            let permAfter = try #require(after.json["permVer"] as? Int)
            #expect(permAfter == permBefore + 1)
            // What a refresh, code or device grant would put in a fresh token now.
            #expect(Int(try m.services.tokenSubject(of: session).versions.permVer) == permAfter)
        }
    }
}
