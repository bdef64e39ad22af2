import Foundation
import Testing
@testable import PolicyLang

@Suite struct PolicySetLoaderTests {
    @Test func readsAFolderInNameOrder() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "kind: policy\nid: b\nrules:\n  - {id: b1, effect: deny}\n---\nkind: policy\nid: c\nrules:\n  - {id: c1, effect: allow}\n"
            .write(toFile: dir + "/b.yml", atomically: true, encoding: .utf8)
        try "kind: policy\nid: a\nrules:\n  - {id: a1, effect: allow}\n"
            .write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "not: [yaml".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/sub.yaml", withIntermediateDirectories: false)
        let (set, diagnostics) = PolicySetLoader.load(directory: dir + "/")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(set.rules.map(\.id) == ["a1", "b1", "c1"])
        #expect(set.policies.map(\.id) == ["a", "b", "c"])
        #expect(set.files == [dir + "/a.yaml", dir + "/b.yml"])
        #expect(set.rules[1].location.file == dir + "/b.yml")
    }

    @Test func missingFolder() {
        let (_, diagnostics) = PolicySetLoader.load(directory: "/nonexistent/policies")
        #expect(positions(diagnostics) == ["1:1 cannot read the policy folder"])
    }

    @Test func hostileFilesBecomeDiagnostics() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
        try bomb.write(toFile: dir + "/bomb.yaml", atomically: true, encoding: .utf8)
        try (String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
            .write(toFile: dir + "/deep.yaml", atomically: true, encoding: .utf8)
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: dir + "/binary.yaml"))
        try "kind: policy\nid: [unclosed\n".write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        try String(repeating: "# padding\n", count: 200_000).write(toFile: dir + "/huge.yaml", atomically: true, encoding: .utf8)
        try "kind: policy\nid: ok\nrules: []\n".write(toFile: dir + "/ok.yaml", atomically: true, encoding: .utf8)
        let (set, diagnostics) = PolicySetLoader.load(directory: dir)
        let byFile = Dictionary(grouping: diagnostics) { URL(fileURLWithPath: $0.location.file).lastPathComponent }
        #expect(byFile["bomb.yaml"]?.first?.message == "anchors (&name) are not allowed")
        #expect(byFile["deep.yaml"]?.first?.message == "nesting deeper than 64 levels")
        #expect(byFile["binary.yaml"]?.first?.message == "file is not UTF-8 text")
        #expect(byFile["broken.yaml"]?.count == 1)
        #expect(byFile["huge.yaml"]?.first?.message == "file is 2000000 bytes; the limit is 1048576")
        #expect(byFile["ok.yaml"] == nil)
        #expect(set.policies.map(\.id) == ["ok"])
    }

    @Test func uploadLimits() {
        var limits = PolicyLimits()
        limits.maxFiles = 2
        let files = ["a.yaml": "kind: policy\nid: a\nrules: []\n", "b.yaml": "kind: policy\nid: b\nrules: []\n",
                     "c.yaml": "kind: policy\nid: c\nrules: []\n", "readme.md": "# not policy"]
        let (set, diagnostics) = PolicySetLoader.load(files: files, limits: limits)
        #expect(set.policies.map(\.id) == ["a", "b"])
        #expect(diagnostics.map { "\($0.location.file) \($0.message)" } == ["c.yaml more than 2 policy files"])

        var small = PolicyLimits()
        small.maxTotalBytes = 40
        let (_, total) = PolicySetLoader.load(files: files, limits: small)
        #expect(total.map(\.message) == ["policy files exceed 40 bytes in total"])
    }

    @Test func emptyDocumentsAreSkipped() {
        let (set, diagnostics) = load(["a.yaml": "---\n---\nkind: policy\nid: a\nrules:\n---\n"])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(set.policies.map(\.id) == ["a"])
    }

    @Test func mixedKindsInOneFile() throws {
        let text = SchemaDocumentTests.schema + """

            ---
            kind: policy
            id: p
            rules:
              - {id: r, effect: allow, principal: User, actions: [read], when: 'principal.age > 1'}
            ---
            kind: test
            id: t
            cases:
              - {name: c, principal: 'User::"a"', action: read, resource: 'Document::"d"', expect: deny, reasons: [r]}
            """
        let (set, diagnostics) = load(["all.yaml": text])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(set.schema != nil && set.rules.count == 1 && set.tests.count == 1)
    }
}
