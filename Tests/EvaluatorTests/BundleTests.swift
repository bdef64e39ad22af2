import Foundation
import PolicyLang
import Store
import Synchronization
import Testing
import TestSupport
@testable import Evaluator

private func compile(_ yaml: String) throws -> PolicyBundle {
    let output = PolicyBuild.build(files: ["p.yaml": yaml])
    #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
    return try #require(output.bundle)
}

/// Two rules of one name family, both always satisfied: a check on a bundle made of
/// `a` rules answers reasons [a1, a2], never a mix with another family.
private func family(_ name: String) throws -> PolicyBundle {
    try compile("""
        kind: policy
        id: \(name)
        rules:
          - id: \(name)1
            effect: allow
          - id: \(name)2
            effect: allow
        """)
}

@Suite struct TenantBundleStoreTests {
    @Test func saveActivateRollBackAndReload() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try TenantBundleStore(environment: Store.Environment(path: dir.path))
            let v1 = try await store.save(try family("a"), tenant: "t1", actor: "admin", activate: true)
            let v2 = try await store.save(try family("b"), tenant: "t1", actor: "admin", activate: false)
            #expect((v1.version, v2.version) == ("v1", "v2"))
            #expect(try store.activeVersion(tenant: "t1") == "v1")
            _ = try await store.activate("v2", tenant: "t1", actor: "admin")
            #expect(try store.activeVersion(tenant: "t1") == "v2")
            // Roll back.
            let back = try await store.activate("v1", tenant: "t1", actor: "admin")
            #expect(back.rules.map(\.id) == ["a1", "a2"])
            await #expect(throws: TenantBundleError.unknownVersion("v9")) {
                _ = try await store.activate("v9", tenant: "t1", actor: "admin")
            }
            #expect(try store.versions(tenant: "t1").map(\.version) == ["v1", "v2"])
            #expect(try store.versions(tenant: "t2").isEmpty)
            let revision = try store.environment.read { try $0.revision(tenant: "t1") }
            // Activations bump the revision; storing an inactive version does not.
            #expect(revision == 3)
            store.environment.close()
        }
        // A restart finds the active bundle again.
        let reopened = try TenantBundleStore(environment: Store.Environment(path: dir.path))
        let active = try reopened.loadActive()
        #expect(active["t1"]?.version == "v1")
        #expect(active["t1"]?.program.bundle.rules.map(\.id) == ["a1", "a2"])
    }
}

@Suite struct PolicyRegistryTests {
    @Test func checksNeverSeeAHalfSwappedBundle() async throws {
        let a = Program(bundle: try family("a"))
        let b = Program(bundle: try family("b"))
        let registry = PolicyRegistry(builtIn: a)
        let request = Request(principal: uid("User", "u"), action: uid("Action", "read"), resource: uid("Doc", "d"))
        final class Shared: Sendable {
            let stop = Atomic<Bool>(false)
            let seen = Mutex<Set<[String]>>([])
        }
        let shared = Shared()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<2000 { registry.replaceBuiltIn(i % 2 == 0 ? b : a) }
                shared.stop.store(true, ordering: .releasing)
            }
            for _ in 0..<2 {
                group.addTask {
                    while !shared.stop.load(ordering: .acquiring) {
                        let program = registry.builtIn
                        let decision = Authorizer(program: program).authorize(request, entities: InMemoryEntities())
                        shared.seen.withLock { _ = $0.insert(decision.reasons) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let answers = shared.seen.withLock { $0 }
        #expect(answers.isSubset(of: [["a1", "a2"], ["b1", "b2"]]), "mixed answers: \(answers)")
    }

    @Test func tenantBundlesAreSeparate() throws {
        let registry = PolicyRegistry(builtIn: Program(bundle: try family("a")))
        registry.activate(ActiveBundle(version: "v3", program: Program(bundle: try family("b"))), tenant: "t1")
        #expect(registry.tenant("t1")?.version == "v3")
        #expect(registry.tenant("t2") == nil)
    }
}
