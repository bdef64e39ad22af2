import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Store
import Testing
import TestSupport
@testable import Server

/// `/api/runtime/policies`: tenant policy bundles over HTTP.
@Suite struct PolicyBundleRouteTests {
    static func policy(_ id: String, rule: String, action: String = "edit") -> String {
        """
        kind: policy
        id: \(id)
        rules:
          - id: \(rule)
            effect: allow
            principal: User
            actions: [\(action)]
            resource: Document
            when: principal.roles.contains("editor")
        """
    }

    func put(_ client: any TestClientProtocol, _ token: String?, _ files: [String: String], wrapped: Bool = true) async throws -> TestResponse {
        try await client.call(.put, "/api/runtime/policies", token, wrapped ? ["files": files] : files)
    }

    func putTar(_ client: any TestClientProtocol, _ token: String, _ bytes: [UInt8]) async throws -> TestResponse {
        var headers = bearer(token, json: false)
        headers[.contentType] = "application/x-tar"
        return try await client.execute(uri: "/api/runtime/policies", method: .put, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    /// A tar archive made by GNU tar from real files (so the reader meets a real archiver's output).
    static func systemTar(_ files: [String: String]) throws -> [UInt8] {
        let dir = TemporaryDirectory()
        let root = dir.path + "/bundle"
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + name)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        process.arguments = ["-cf", dir.path + "/bundle.tar", "-C", root, "."]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/bundle.tar")))
    }

    /// A minimal ustar writer, for archives no real archiver would make.
    static func octal(_ value: Int, _ width: Int) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func tar(_ entries: [(name: String, type: UInt8, contents: String)]) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
            let data = Array(entry.contents.utf8)
            put(entry.name, at: 0)
            put("0000644", at: 100)
            put("0000000", at: 108)
            put("0000000", at: 116)
            put(octal(data.count, 11), at: 124)
            put("00000000000", at: 136)
            header[156] = entry.type
            put("ustar", at: 257)
            put("00", at: 263)
            for i in 148..<156 { header[i] = 0x20 }
            let sum = header.reduce(0) { $0 + Int($1) }
            put(octal(sum, 6), at: 148)
            header[154] = 0
            out += header + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    @Test func uploadJSONMapActivatesAndListsAndShowsSources() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme")
        let revisionBefore = try m.services.environment.read { try $0.revision(tenant: tenantId) }
        try await m.test { client in
            let first = try await put(client, admin, ["docs.yaml": Self.policy("docs", rule: "editors-edit")])
            #expect(first.status == .created)
            #expect(first.json["version"] as? String == "v1")
            #expect(first.json["active"] as? Bool == true)
            #expect(first.json["rules"] as? Int == 1)
            #expect(first.json["activatedAt"] is String)
            #expect(first.json["policyEpoch"] as? Int == 1)
            #expect(first.json["files"] as? [String] == ["docs.yaml"])
            #expect((first.json["revision"] as? Int).map { UInt64($0) > revisionBefore } == true)
            #expect(first.headers[.location] == "/api/runtime/policies/v1")
            #expect(m.services.policies.tenant(tenantId)?.version == "v1")
            #expect(m.services.policies.tenant(tenantId)?.program.bundle.rules.map(\.id) == ["editors-edit"])

            // The plain map shape, with two files.
            let second = try await put(
                client, admin,
                ["docs.yaml": Self.policy("docs", rule: "editors-edit"), "more.yml": Self.policy("more", rule: "editors-publish", action: "publish")],
                wrapped: false)
            #expect(second.status == .created)
            #expect(second.json["version"] as? String == "v2")
            #expect(second.json["rules"] as? Int == 2)
            #expect(m.services.policies.tenant(tenantId)?.version == "v2")

            let listed = try await client.call(.get, "/api/runtime/policies", admin)
            #expect(listed.status == .ok)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["version"] as? String } == ["v1", "v2"])
            #expect(items.compactMap { $0["active"] as? Bool } == [false, true])
            #expect(items.compactMap { $0["rules"] as? Int } == [1, 2])
            #expect(items.allSatisfy { $0["createdAt"] is String && $0["createdBy"] as? String != nil })
            #expect(listed.json["activeVersion"] as? String == "v2")
            #expect(listed.json["policyEpoch"] as? Int == 2)

            let shown = try await client.call(.get, "/api/runtime/policies/v2", admin)
            #expect(shown.status == .ok)
            #expect(shown.json["version"] as? String == "v2")
            let sources = try #require(shown.json["sources"] as? [String: String])
            #expect(sources["more.yml"] == Self.policy("more", rule: "editors-publish", action: "publish"))
            #expect(sources.count == 2)
        }
        #expect(try m.services.tenantBundles.policyEpoch(tenantId: tenantId) == 2)
        let events = try m.services.environment.read { try $0.auditEvents(tenant: tenantId, limit: 100) }
        #expect(events.filter { $0.action == "policy.bundle.upload" }.count == 2)
        #expect(events.filter { $0.action == "policy.bundle.activate" }.count == 2)
    }

    @Test func uploadTar() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let archive = try Self.systemTar([
            "docs.yaml": Self.policy("docs", rule: "editors-edit"),
            "sub/more.yaml": Self.policy("more", rule: "editors-publish", action: "publish"),
            "README.txt": "not a policy",
        ])
        try await m.test { client in
            let response = try await putTar(client, admin, archive)
            #expect(response.status == .created, "\(response.json)")
            #expect(response.json["rules"] as? Int == 2)
            #expect(response.json["files"] as? [String] == ["README.txt", "docs.yaml", "sub/more.yaml"])
            #expect(m.services.policies.tenant(m.tenantId("acme"))?.program.bundle.rules.map(\.id).sorted()
                == ["editors-edit", "editors-publish"])

            // Refused archives: a path escaping with `..`, a symbolic link, garbage.
            let escaping = Self.tar([("../evil.yaml", UInt8(ascii: "0"), Self.policy("x", rule: "x"))])
            let escaped = try await putTar(client, admin, escaping)
            #expect(escaped.status == .badRequest)
            #expect((escaped.json["detail"] as? String)?.contains("..") == true)
            let link = Self.tar([("link.yaml", UInt8(ascii: "2"), "")])
            #expect(try await putTar(client, admin, link).status == .badRequest)
            #expect(try await putTar(client, admin, Array("hello".utf8)).status == .badRequest)
            #expect(try await putTar(client, admin, [UInt8](repeating: 7, count: 2048)).status == .badRequest)
            // A hand-made ustar archive reads too.
            let handMade = Self.tar([("./one.yaml", UInt8(ascii: "0"), Self.policy("one", rule: "one"))])
            let accepted = try await putTar(client, admin, handMade)
            #expect(accepted.status == .created)
            #expect(accepted.json["files"] as? [String] == ["one.yaml"])
        }
        #expect(try m.services.tenantBundles.versions(tenant: m.tenantId("acme")).count == 2)
    }

    @Test func everyDiagnosticOfEveryFileIs422AndNothingChanges() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme")
        let broken = [
            "a.yaml": """
                kind: policy
                id: a
                rules:
                  - id: a1
                    effect: permit
                  - id: a2
                    effect: allow
                    when: principal.roles.contains(
                """,
            "b.yaml": """
                kind: policy
                id: b
                rules:
                  - id: b1
                    effect: allow
                    when: 1 +
                  - id: b2
                    effect: maybe
                """,
        ]
        try await m.test { client in
            #expect(try await put(client, admin, ["ok.yaml": Self.policy("ok", rule: "ok")]).status == .created)
            let response = try await put(client, admin, broken)
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json["type"] as? String == "urn:arbiter:problem:policy-bundle-invalid")
            let diagnostics = try #require(response.json["diagnostics"] as? [[String: Any]])
            let located = diagnostics.map { "\($0["file"] as? String ?? "?"):\($0["line"] as? Int ?? 0)" }
            // Two problems in each file, each with its position, in file and line order.
            #expect(located == ["a.yaml:5", "a.yaml:8", "b.yaml:6", "b.yaml:8"], "\(located)")
            #expect(diagnostics.map { $0["column"] as? Int ?? 0 } == [13, 36, 14, 13])
            #expect((diagnostics[0]["message"] as? String)?.contains("permit") == true)
            #expect(diagnostics[0]["hint"] is String)
            #expect(diagnostics.allSatisfy {
                ($0["line"] as? Int ?? 0) > 0 && ($0["column"] as? Int ?? 0) > 0 && $0["message"] is String
                    && $0["severity"] as? String == "error"
            })
        }
        // Nothing stored, the active bundle unchanged.
        #expect(try m.services.tenantBundles.versions(tenant: tenantId).count == 1)
        #expect(m.services.policies.tenant(tenantId)?.version == "v1")
    }

    @Test func rulesAboutTheManagementAPIAreRefused() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let widening = """
            kind: policy
            id: sneaky
            rules:
              - id: members-manage-apps
                effect: allow
                principal: User
                actions: [update, delete]
                resource: Application
              - id: anyone-reads-by-condition
                effect: allow
                when: resource is Organization
              - id: fine
                effect: allow
                actions: [read]
                resource: Document
            """
        try await m.test { client in
            let response = try await put(client, admin, ["sneaky.yaml": widening])
            #expect(response.status == .unprocessableContent)
            let diagnostics = try #require(response.json["diagnostics"] as? [[String: Any]])
            let messages = diagnostics.compactMap { $0["message"] as? String }
            #expect(diagnostics.count == 2, "\(messages)")
            #expect(messages.contains { $0.contains("members-manage-apps") && $0.contains("Application") })
            #expect(messages.contains { $0.contains("anyone-reads-by-condition") && $0.contains("Organization") })
            #expect(diagnostics.allSatisfy { $0["file"] as? String == "sneaky.yaml" && $0["hint"] is String })
        }
        #expect(m.services.policies.tenant(m.tenantId("acme")) == nil)
    }

    @Test func rollbackAndRollForward() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            #expect(try await put(client, admin, ["p.yaml": Self.policy("p", rule: "first")]).status == .created)
            #expect(try await put(client, admin, ["p.yaml": Self.policy("p", rule: "second")]).status == .created)
            #expect(m.services.policies.tenant(tenantId)?.version == "v2")

            let back = try await client.call(.post, "/api/runtime/policies/v1/activate", admin)
            #expect(back.status == .ok)
            #expect(back.json["version"] as? String == "v1")
            #expect(back.json["policyEpoch"] as? Int == 3)
            // The next check runs the rolled-back program.
            #expect(m.services.policies.tenant(tenantId)?.version == "v1")
            #expect(m.services.policies.tenant(tenantId)?.program.bundle.rules.map(\.id) == ["first"])
            let listed = try await client.call(.get, "/api/runtime/policies", admin)
            #expect(listed.json["activeVersion"] as? String == "v1")

            let forward = try await client.call(.post, "/api/runtime/policies/v2/activate", admin)
            #expect(forward.status == .ok)
            #expect(m.services.policies.tenant(tenantId)?.program.bundle.rules.map(\.id) == ["second"])

            for unknown in ["v9", "v0", "latest", "v1x", String(repeating: "9", count: 500)] {
                #expect(try await client.call(.post, "/api/runtime/policies/\(unknown)/activate", admin).status == .notFound)
                #expect(try await client.call(.get, "/api/runtime/policies/\(unknown)", admin).status == .notFound)
            }
        }
        // Restarting finds the same active bundle.
        #expect(try m.services.tenantBundles.loadActive()[tenantId]?.version == "v2")
    }

    /// Concurrent activations commit in some order and swap the registry in another; the
    /// registry must still end on the version LMDB holds as active.
    @Test func concurrentActivationsLeaveTheRegistryOnTheStoredActiveVersion() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme")
        try await m.test { client in
            for rule in ["one", "two", "three"] {
                #expect(try await put(client, admin, ["p.yaml": Self.policy("p", rule: rule)]).status == .created)
            }
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        try await client.call(.post, "/api/runtime/policies/v\(i % 3 + 1)/activate", admin).status
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
        }
        let stored = try m.services.tenantBundles.activeVersion(tenant: tenantId)
        #expect(m.services.policies.tenant(tenantId)?.version == stored)
        #expect(try m.services.tenantBundles.policyEpoch(tenantId: tenantId) == 27)
    }

    @Test func tenantsCannotSeeOrActivateEachOthersVersions() async throws {
        let m = try await ManagementApp()
        let acme = try await m.adminToken("acme")
        let globex = try await m.adminToken("globex")
        try await m.test { client in
            #expect(try await put(client, acme, ["p.yaml": Self.policy("p", rule: "acme-1")]).status == .created)
            #expect(try await put(client, acme, ["p.yaml": Self.policy("p", rule: "acme-2")]).status == .created)
            #expect(try await client.call(.get, "/api/runtime/policies/v1", globex).status == .notFound)
            #expect(try await client.call(.post, "/api/runtime/policies/v1/activate", globex).status == .notFound)
            let listed = try await client.call(.get, "/api/runtime/policies", globex)
            #expect(listed.status == .ok)
            #expect((listed.json["items"] as? [Any])?.isEmpty == true)
            #expect(listed.json["activeVersion"] == nil)
        }
        #expect(m.services.policies.tenant(m.tenantId("acme"))?.version == "v2")
        #expect(try m.services.tenantBundles.activeVersion(tenant: m.tenantId("acme")) == "v2")
        #expect(m.services.policies.tenant(m.tenantId("globex")) == nil)
    }

    @Test func onlyAdministratorsWithATokenMayManageBundles() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let member = try await m.memberToken()
        let automation = try await m.clientToken()
        let withoutAPI = try await m.userToken("acme", scopes: ["tenant_context"]).token
        let files = ["p.yaml": Self.policy("p", rule: "r")]
        try await m.test { client in
            #expect(try await put(client, admin, files).status == .created)
            for token in [member, automation] {
                #expect(try await put(client, token, files).status == .forbidden)
                #expect(try await client.call(.get, "/api/runtime/policies", token).status == .forbidden)
                #expect(try await client.call(.get, "/api/runtime/policies/v1", token).status == .forbidden)
                #expect(try await client.call(.post, "/api/runtime/policies/v1/activate", token).status == .forbidden)
            }
            #expect(try await put(client, withoutAPI, files).status == .forbidden)
            let anonymous = try await put(client, nil, files)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await client.call(.get, "/api/runtime/policies", nil).status == .unauthorized)
            #expect(try await client.call(.post, "/api/runtime/policies/v1/activate", "not-a-token").status == .unauthorized)
        }
        #expect(try m.services.tenantBundles.versions(tenant: m.tenantId("acme")).count == 1)
    }

    @Test func badBodiesAre4xx() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            #expect(try await put(client, admin, [:]).status == .badRequest)
            #expect(try await put(client, admin, ["notes.txt": "hi"]).status == .badRequest)
            #expect(try await client.call(.put, "/api/runtime/policies", admin, ["files": ["a.yaml": 3]]).status == .badRequest)
            #expect(try await put(client, admin, ["/etc/a.yaml": "x"]).status == .badRequest)
            #expect(try await put(client, admin, ["../a.yaml": "x"]).status == .badRequest)
            #expect(try await client.call(.put, "/api/runtime/policies", admin, ["files": "x"]).status == .badRequest)
            var many: [String: String] = [:]
            for i in 0...PolicyBundleUpload.maxFiles { many["f\(i).yaml"] = "kind: policy\nid: p\(i)\nrules: []\n" }
            #expect(try await put(client, admin, many).status == .badRequest)
            var headers = bearer(admin, json: false)
            headers[.contentType] = "text/yaml"
            let yaml = try await client.execute(
                uri: "/api/runtime/policies", method: .put, headers: headers, body: ByteBuffer(string: "kind: policy"))
            #expect(yaml.status == .unsupportedMediaType)
            let huge = try await put(client, admin, ["big.yaml": String(repeating: "#", count: 2 << 20)])
            #expect(huge.status == .contentTooLarge)
        }
        #expect(try m.services.tenantBundles.versions(tenant: m.tenantId("acme")).isEmpty)
    }
}
