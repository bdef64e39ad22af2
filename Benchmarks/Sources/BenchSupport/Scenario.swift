import Evaluator
import PolicyLang

/// A rule written once and rendered both as Arbiter YAML and as Cedar text, so the two
/// engines are given the same policies.
public struct BenchRule: Sendable {
    public enum Scope: Sendable {
        case any
        case type(String)
        case `in`(EntityUID)
        case typeIn(String, EntityUID)
    }

    public var id: String
    public var effect: String  // "allow" | "deny"
    public var principal: Scope
    public var actions: [String]
    public var resource: Scope
    public var when: String?
    public var unless: String?

    public init(id: String, effect: String = "allow", principal: Scope = .any, actions: [String], resource: Scope = .any, when: String? = nil, unless: String? = nil) {
        self.id = id
        self.effect = effect
        self.principal = principal
        self.actions = actions
        self.resource = resource
        self.when = when
        self.unless = unless
    }

    static func yamlScope(_ scope: Scope) -> String? {
        switch scope {
        case .any: nil
        case .type(let t): t
        case .in(let uid): "in \(uid)"
        case .typeIn(let t, let uid): "\(t) in \(uid)"
        }
    }

    static func cedarScope(_ variable: String, _ scope: Scope) -> String {
        switch scope {
        case .any: variable
        case .type(let t): "\(variable) is \(t)"
        case .in(let uid): "\(variable) in \(uid)"
        case .typeIn(let t, let uid): "\(variable) is \(t) in \(uid)"
        }
    }

    static func yamlQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    var yaml: String {
        var lines = ["  - id: \(id)", "    effect: \(effect)"]
        if let p = Self.yamlScope(principal) { lines.append("    principal: \(Self.yamlQuote(p))") }
        lines.append("    actions: [\(actions.joined(separator: ", "))]")
        if let r = Self.yamlScope(resource) { lines.append("    resource: \(Self.yamlQuote(r))") }
        if let when { lines.append("    when: \(Self.yamlQuote(when))") }
        if let unless { lines.append("    unless: \(Self.yamlQuote(unless))") }
        return lines.joined(separator: "\n")
    }

    var cedar: String {
        let actionList = actions.map { "Action::\"\($0)\"" }.joined(separator: ", ")
        var text = "@id(\"\(id)\")\n\(effect == "deny" ? "forbid" : "permit")(\(Self.cedarScope("principal", principal)), action in [\(actionList)], \(Self.cedarScope("resource", resource)))"
        if let when { text += "\nwhen { \(when) }" }
        if let unless { text += "\nunless { \(unless) }" }
        return text + ";"
    }
}

/// One benchmark scenario: rules, an entity generator (by index, so that graphs of
/// millions of entities are written in batches without holding them all), and requests.
public struct Scenario: Sendable {
    public var name: String
    public var rules: [BenchRule]
    public var entityCount: Int
    /// The entity at a position; deterministic (seeded), any order.
    public var entity: @Sendable (Int) -> Entity
    public var requests: [Request]

    public init(name: String, rules: [BenchRule], entityCount: Int, entity: @escaping @Sendable (Int) -> Entity, requests: [Request]) {
        self.name = name
        self.rules = rules
        self.entityCount = entityCount
        self.entity = entity
        self.requests = requests
    }

    public var policyYAML: String {
        "kind: policy\nid: \(name)\nrules:\n" + rules.map(\.yaml).joined(separator: "\n") + "\n"
    }

    /// The rules as YAML files of at most `perFile` rules each (a policy file may hold 1 MiB).
    public func policyFiles(perFile: Int = 1_000) -> [String: String] {
        var files: [String: String] = [:]
        for (n, start) in stride(from: 0, to: rules.count, by: perFile).enumerated() {
            let part = rules[start..<min(start + perFile, rules.count)]
            files["\(name)-\(n).yaml"] = "kind: policy\nid: \(name)-\(n)\nrules:\n" + part.map(\.yaml).joined(separator: "\n") + "\n"
        }
        return files
    }

    public var cedarPolicies: String { rules.map(\.cedar).joined(separator: "\n\n") + "\n" }

    /// The compiled bundle, or a fatal error with the diagnostics (a generator bug).
    public func bundle() -> PolicyBundle {
        let output = PolicyBuild.build(files: ["\(name).yaml": policyYAML])
        guard let bundle = output.bundle else {
            fatalError("scenario \(name) does not compile:\n" + output.diagnostics.map { "\($0)" }.joined(separator: "\n"))
        }
        return bundle
    }

    public func allEntities() -> [Entity] { (0..<entityCount).map(entity) }

    public func inMemoryEntities() -> InMemoryEntities {
        do { return try InMemoryEntities(allEntities()) } catch { fatalError("\(error)") }
    }

    /// Number of parent edges (for labels).
    public func edgeCount() -> Int { (0..<entityCount).reduce(0) { $0 + entity($1).parents.count } }
}

/// SplitMix64: small, fast, and the same sequence on every platform for a seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A generator for one entity: independent of every other index.
    public static func at(_ seed: UInt64, _ index: Int) -> SeededRandom {
        var r = SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(bitPattern: Int64(index)))
        _ = r.next()
        return r
    }
    public mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

@inline(__always) func uid(_ type: String, _ id: String) -> EntityUID { EntityUID(type: type, id: id) }
