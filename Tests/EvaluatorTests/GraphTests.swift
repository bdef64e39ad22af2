import Foundation
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Evaluator


/// Builds a bundle from YAML text, the way policy authors write it.
private func bundle(_ yaml: String) throws -> PolicyBundle {
    let output = PolicyBuild.build(files: ["p.yaml": yaml])
    #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
    return try #require(output.bundle)
}

@Suite struct AttributeCodecTests {
    static let attributes: [String: Value] = [
        "flag": .bool(true), "off": .bool(false), "n": .long(Int64.min), "name": .string("café\u{0}x"),
        "owner": .entity(uid("User", "ali\"ce")), "tags": .set([.string("a"), .long(2), .set([])]),
        "meta": .record(["k": .long(1), "nested": .record(["x": .bool(false)])]),
        "ip": .ipaddr(try! IPAddress.parse("10.1.0.0/16").get()), "ip6": .ipaddr(try! IPAddress.parse("::1").get()),
        "price": .decimal(try! CedarDecimal.parse("-12.5").get()),
    ]

    @Test func everyValueKindRoundTrips() throws {
        let bytes = AttributeCodec.encode(Self.attributes)
        let decoded = try bytes.withUnsafeBytes { try AttributeCodec.decodeAll($0) }
        #expect(decoded == Self.attributes)
        for (name, value) in Self.attributes {
            let one = try bytes.withUnsafeBytes { buffer in
                try AttributeCodec.find(name, in: buffer).map { try AttributeCodec.decodeValue($0) }
            }
            #expect(one == value, "attribute \(name)")
        }
        #expect(try bytes.withUnsafeBytes { try AttributeCodec.find("missing", in: $0) } == nil)
    }

    @Test func equalRecordsEncodeEqually() {
        let a: [String: Value] = ["s": .set([.long(1), .long(2), .long(3)]), "b": .long(1)]
        let b: [String: Value] = ["b": .long(1), "s": .set([.long(3), .long(1), .long(2)])]
        #expect(AttributeCodec.encode(a) == AttributeCodec.encode(b))
    }

    @Test func truncatedOrForeignBytesAreErrorsNotCrashes() {
        let bytes = AttributeCodec.encode(Self.attributes)
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            let truncated = Array(bytes[..<cut])
            _ = try? truncated.withUnsafeBytes { try AttributeCodec.decodeAll($0) }
        }
        #expect(throws: EntitySourceError.self) {
            try [UInt8]([0x01, 0, 0, 0, 0xFF, 0xFF]).withUnsafeBytes { try AttributeCodec.decodeAll($0) }
        }
    }

    /// `find` on a record cut anywhere either throws or finds the very bytes it finds in
    /// the whole record (a cut inside another attribute's value may leave one intact),
    /// never bytes past the cut; absent names too. Hand-made directories that overrun
    /// the record (a name, an offset or a length too long; more entries than bytes)
    /// throw.
    @Test func findOnCutOrForeignRecordsThrowsOrFindsTheSameBytes() throws {
        let bytes = AttributeCodec.encode(Self.attributes)
        let names = Array(Self.attributes.keys) + ["missing", ""]
        let whole: [String: [UInt8]?] = try bytes.withUnsafeBytes { buffer in
            var found: [String: [UInt8]?] = [:]
            for name in names { found[name] = try AttributeCodec.find(name, in: buffer).map { Array($0) } }
            return found
        }
        for cut in 0..<bytes.count {
            let truncated = Array(bytes[..<cut])
            for name in names {
                guard let found = try? truncated.withUnsafeBytes({ try AttributeCodec.find(name, in: $0).map { Array($0) } }) else { continue }
                #expect(found == whole[name]!, "\(name) at cut \(cut)")
            }
        }
        let foreign: [[UInt8]] = [
            [],
            [0x01, 0, 0],
            [0x01, 0, 0, 0, 0xFF, 0xFF],
            [0x01, 0, 0, 0, 0x01, 0, 0x61, 0, 0, 0, 0],
            [0x01, 0, 0, 0, 0x01, 0, 0x61, 0, 0, 0, 0, 0x05, 0, 0, 0, 0x01],
            [0x01, 0, 0, 0, 0x01, 0, 0x61, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0, 0x01],
            [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0x62, 0, 0, 0, 0, 0, 0, 0, 0],
        ]
        for record in foreign {
            #expect(throws: EntitySourceError.self, "\(record)") { try record.withUnsafeBytes { try AttributeCodec.find("a", in: $0) } }
        }
        // The same shape within bounds finds its value.
        let one: [UInt8] = [0x01, 0, 0, 0, 0x01, 0, 0x61, 0, 0, 0, 0, 0x01, 0, 0, 0, 0x2A]
        #expect(try one.withUnsafeBytes { try AttributeCodec.find("a", in: $0).map { Array($0) } } == [0x2A])
    }
}

@Suite struct EntityGraphTests {
    func makeGraph(_ dir: TemporaryDirectory) throws -> EntityGraph {
        try EntityGraph(environment: Store.Environment(path: dir.path))
    }

    @Test func upsertReadReplaceDelete() async throws {
        let dir = TemporaryDirectory()
        let graph = try makeGraph(dir)
        let r1 = try await graph.apply(tenant: "t1", upserts: [
            Entity(uid: uid("User", "alice"), attributes: ["level": .long(3)], parents: [uid("Group", "eng"), uid("Group", "all")]),
            Entity(uid: uid("Group", "eng"), parents: [uid("Group", "all")]),
        ], actor: "test")
        #expect(r1 == 1)
        try graph.read(tenant: "t1") { entities throws in
            #expect(try entities.attribute("level", of: uid("User", "alice")) == .value(.long(3)))
            #expect(try entities.attribute("nope", of: uid("User", "alice")) == .noSuchAttribute)
            #expect(try entities.attribute("level", of: uid("User", "bob")) == .noSuchEntity)
            #expect(try entities.hasAttribute("level", of: uid("User", "alice")))
            var parents: [EntityUID] = []
            try entities.forEachParent(of: uid("User", "alice")) { parents.append($0) }
            #expect(Set(parents) == [uid("Group", "eng"), uid("Group", "all")])
            #expect(Set(try entities.children(of: uid("Group", "all"))) == [uid("User", "alice"), uid("Group", "eng")])
            #expect(try entities.revision() == 1)
        }
        // Replacing an entity replaces its edges, and the reverse index follows.
        let r2 = try await graph.apply(tenant: "t1", upserts: [
            Entity(uid: uid("User", "alice"), attributes: [:], parents: [uid("Group", "eng")]),
        ], actor: "test")
        #expect(r2 == 2)
        try graph.read(tenant: "t1") { entities throws in
            #expect(try entities.children(of: uid("Group", "all")) == [uid("Group", "eng")])
            #expect(try entities.attribute("level", of: uid("User", "alice")) == .noSuchAttribute)
        }
        _ = try await graph.apply(tenant: "t1", upserts: [], deletes: [uid("User", "alice")], actor: "test")
        try graph.read(tenant: "t1") { entities throws in
            #expect(try !entities.contains(uid("User", "alice")))
            #expect(try entities.children(of: uid("Group", "eng")) == [])
        }
    }

    @Test func tenantsDoNotSeeEachOther() async throws {
        let dir = TemporaryDirectory()
        let graph = try makeGraph(dir)
        _ = try await graph.apply(tenant: "t1", upserts: [Entity(uid: uid("User", "alice"), attributes: ["x": .long(1)])], actor: "test")
        _ = try await graph.apply(tenant: "t10", upserts: [Entity(uid: uid("User", "zed"))], actor: "test")
        try graph.read(tenant: "t2") { entities throws in
            #expect(try entities.attribute("x", of: uid("User", "alice")) == .noSuchEntity)
        }
        var listed: [EntityUID] = []
        try graph.read(tenant: "t1") { entities throws in
            try entities.forEachEntity { listed.append($0.uid); return true }
        }
        #expect(listed == [uid("User", "alice")])
    }

    @Test func cyclesAndDeepChainsTerminate() async throws {
        let dir = TemporaryDirectory()
        let graph = try makeGraph(dir)
        // a → b → c → a, and a chain of 400 groups: deeper than the walk bound.
        var entities = [
            Entity(uid: uid("G", "a"), parents: [uid("G", "b")]),
            Entity(uid: uid("G", "b"), parents: [uid("G", "c")]),
            Entity(uid: uid("G", "c"), parents: [uid("G", "a")]),
        ]
        for i in 0..<400 { entities.append(Entity(uid: uid("Chain", "\(i)"), parents: [uid("Chain", "\(i + 1)")])) }
        _ = try await graph.apply(tenant: "t", upserts: entities, actor: "test")
        let authorizer = Authorizer(bundle: try bundle("""
            kind: policy
            id: p
            rules:
              - id: in-c
                effect: allow
                principal: in G::"c"
              - id: in-x
                effect: allow
                principal: in G::"x"
              - id: deep
                effect: allow
                principal: in Chain::"399"
              - id: too-deep
                effect: allow
                principal: in Chain::"400"
            """))
        try graph.read(tenant: "t") { store throws in
            let cyclic = authorizer.authorize(Request(principal: uid("G", "a"), action: uid("Action", "x"), resource: uid("R", "r")), entities: store)
            #expect(cyclic.reasons == ["in-c"])
            let chain = authorizer.authorize(Request(principal: uid("Chain", "0"), action: uid("Action", "x"), resource: uid("R", "r")), entities: store)
            #expect(chain.decision == .deny)
            #expect(chain.errors.map(\.ruleID).contains("deep") || chain.errors.map(\.ruleID).contains("too-deep"))
        }
    }

    @Test func graphSurvivesReopen() async throws {
        let dir = TemporaryDirectory()
        do {
            let graph = try makeGraph(dir)
            _ = try await graph.apply(tenant: "t", upserts: [Entity(uid: uid("User", "a"), attributes: ["n": .long(7)], parents: [uid("G", "g")])], actor: "test")
            graph.environment.close()
        }
        let graph = try makeGraph(dir)
        try graph.read(tenant: "t") { entities throws in
            #expect(try entities.entity(uid("User", "a")) == Entity(uid: uid("User", "a"), attributes: ["n": .long(7)], parents: [uid("G", "g")]))
            #expect(try entities.revision() == 1)
        }
    }

    /// The LMDB source and the in-memory source must give identical decisions.
    @Test func decisionsMatchTheInMemorySource() async throws {
        let dir = TemporaryDirectory()
        let graph = try makeGraph(dir)
        var generator = SystemRandomNumberGenerator()
        var list: [Entity] = []
        for g in 0..<20 {
            list.append(Entity(uid: uid("Group", "g\(g)"), attributes: ["rank": .long(Int64(g))],
                               parents: g > 0 ? [uid("Group", "g\(Int.random(in: 0..<g, using: &generator))")] : []))
        }
        for u in 0..<50 {
            var attributes: [String: Value] = ["level": .long(Int64.random(in: 0...9, using: &generator))]
            if u % 3 == 0 { attributes["dept"] = .string(["eng", "ops"][u % 2]) }
            list.append(Entity(uid: uid("User", "u\(u)"), attributes: attributes, parents: [uid("Group", "g\(u % 20)")]))
        }
        for d in 0..<30 {
            list.append(Entity(uid: uid("Doc", "d\(d)"), attributes: ["owner": .entity(uid("User", "u\(d)")), "dept": .string("eng")]))
        }
        _ = try await graph.apply(tenant: "t", upserts: list, actor: "test")
        let memory = try InMemoryEntities(list)
        let authorizer = Authorizer(bundle: try bundle("""
            kind: policy
            id: p
            rules:
              - id: owner
                effect: allow
                principal: User
                resource: Doc
                when: resource.owner == principal
              - id: dept
                effect: allow
                principal: in Group::"g3"
                when: principal.dept == resource.dept
              - id: low
                effect: deny
                unless: principal.level > 1
            """))
        try graph.read(tenant: "t") { store throws in
            for u in 0..<50 {
                for d in 0..<30 {
                    let request = Request(principal: uid("User", "u\(u)"), action: uid("Action", "read"), resource: uid("Doc", "d\(d)"))
                    #expect(authorizer.authorize(request, entities: store) == authorizer.authorize(request, entities: memory))
                }
            }
        }
    }
}

@Suite struct EntityStreamTests {
    @Test func streamsEntitiesAndRoundTripsThroughTheWriter() throws {
        let dir = TemporaryDirectory()
        let entities = [
            Entity(uid: uid("User", "a,]\"b"), attributes: ["tags": .set([.string("x]"), .string("{y")]), "n": .long(-1),
                                                             "ip": .ipaddr(try IPAddress.parse("10.0.0.0/8").get()),
                                                             "d": .decimal(try CedarDecimal.parse("1.25").get()),
                                                             "m": .entity(uid("User", "b")), "r": .record(["k": .bool(true)])],
                   parents: [uid("Group", "g")]),
            Entity(uid: uid("Group", "g")),
        ]
        let path = dir.subpath("entities.json")
        let text = "[\n" + entities.map(EntityJSONWriter.entity).joined(separator: ",\n") + "\n]"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var stream = try EntityStream(path: path)
        var read: [Entity] = []
        while let entity = try stream.next() { read.append(entity) }
        #expect(read == entities)
    }

    @Test func emptyAndBrokenFiles() throws {
        let dir = TemporaryDirectory()
        let empty = dir.subpath("empty.json")
        try " [ ] ".write(toFile: empty, atomically: true, encoding: .utf8)
        var stream = try EntityStream(path: empty)
        #expect(try stream.next() == nil)

        let broken = dir.subpath("broken.json")
        try "[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}}, {\"uid\": ".write(toFile: broken, atomically: true, encoding: .utf8)
        var brokenStream = try EntityStream(path: broken)
        #expect(try brokenStream.next()?.uid == uid("User", "a"))
        #expect(throws: EntityJSONError.self) { _ = try brokenStream.next() }

        let notArray = dir.subpath("object.json")
        try "{}".write(toFile: notArray, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { _ = try EntityStream(path: notArray) }
    }
}

@Suite struct RevisionTests {
    @Test func readYourWritesAndFutureRevisions() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let written = try await graph.apply(tenant: "t", upserts: [Entity(uid: uid("User", "a"), attributes: ["n": .long(1)])], actor: "test")
        // The write's own revision is readable at once, with the write visible.
        let seen = try graph.read(tenant: "t", atLeast: written) { try $0.attribute("n", of: uid("User", "a")) }
        #expect(seen == .value(.long(1)))
        #expect(throws: RevisionNotReached(requested: written + 1, current: written)) {
            try graph.read(tenant: "t", atLeast: written + 1) { _ in () }
        }
        // Another tenant's revision means nothing here.
        #expect(throws: RevisionNotReached.self) { try graph.read(tenant: "other", atLeast: written) { _ in () } }
        #expect(RevisionToken.decode(RevisionToken.encode(written)) == written)
        #expect(RevisionToken.decode("12x") == nil)
        #expect(RevisionToken.decode("") == nil)
        #expect(RevisionToken.decode("99999999999999999999999") == nil)
    }
}
