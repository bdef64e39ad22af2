import Evaluator
import Identity
import PolicyLang
import Store
import Synchronization

/// Decides runtime checks (`/api/runtime/authorization/*`): the built-in program
/// (`Policies/`) AND the tenant's active bundle, each run by an `Authorizer` over the
/// tenant's LMDB graph at ONE read snapshot, merged with Cedar's semantics
/// (`RuntimeDecision.merge`). The management API keeps using the built-in program alone,
/// so tenant rules can never widen it.
///
/// An `Authorizer` owns a mutable VM and scratch, so it is not thread-safe; a
/// `GraphReader` owns a reusable read transaction and key buffers. Both are costly to
/// make per request and cheap to reuse, so they live in `CheckWorker`s: a check takes one
/// from a small pool, runs synchronously (no suspension point between renewing the
/// snapshot and resetting it), and gives it back. The pool's lock guards only the
/// take/give of a reference — never an LMDB read or an evaluation.
final class RuntimeAuthorizer: Sendable {
    let graph: EntityGraph
    let policies: PolicyRegistry
    let identityTables: IdentityTables
    let bundles: TenantBundleStore
    /// Fills `context.device` (issue 7); nil until device trust exists.
    let device: (any DeviceContextProvider)?
    private let pool = Mutex<[CheckWorker]>([])
    /// Idle workers kept; a burst beyond it makes workers that are dropped afterwards.
    /// Each keeps up to `CheckWorker.maxReaders` read transactions (LMDB reader slots).
    static let maxIdleWorkers = 16

    init(graph: EntityGraph, policies: PolicyRegistry, identityTables: IdentityTables, bundles: TenantBundleStore,
         device: (any DeviceContextProvider)? = nil) {
        self.graph = graph
        self.policies = policies
        self.identityTables = identityTables
        self.bundles = bundles
        self.device = device
    }

    /// What a set of checks read, from one snapshot.
    struct Outcome {
        /// The revision of the snapshot the checks were decided at.
        var revision: UInt64
        var decisions: [RuntimeDecision]
    }

    /// Decides `checks` (in order) at one snapshot of the tenant's graph, at `atLeast` or
    /// newer (`RevisionNotReached` otherwise). `body` may read more from the same
    /// snapshot (the `me` route lists features with it) before it ends.
    func decide(
        _ checks: [RuntimeCheck], tenant: String, atLeast: UInt64?,
        versionsOf subject: (EntityUID) -> String?
    ) throws -> Outcome {
        try withSnapshot(tenant: tenant, atLeast: atLeast) { snapshot in
            var decisions: [RuntimeDecision] = []
            decisions.reserveCapacity(checks.count)
            var versionCache: (String, RuntimeVersions.Pair)?
            for check in checks {
                var versions = RuntimeVersions.Pair(permVer: 1, entVer: 1)
                if let subjectId = subject(check.request.principal) {
                    if let cached = versionCache, cached.0 == subjectId {
                        versions = cached.1
                    } else {
                        versions = try snapshot.versions(subjectId: subjectId)
                        versionCache = (subjectId, versions)
                    }
                }
                decisions.append(snapshot.decide(check.request, explain: check.explain, versions: versions))
            }
            return Outcome(revision: snapshot.revision, decisions: decisions)
        }
    }

    /// Runs `body` with one consistent snapshot of the tenant's graph and the programs to
    /// decide with, then ends the snapshot.
    func withSnapshot<T>(tenant: String, atLeast: UInt64?, _ body: (Snapshot) throws -> T) throws -> T {
        let worker = take()
        defer { give(worker) }
        let builtIn = worker.authorizer(for: policies.builtIn)
        let tenantAuthorizer = policies.tenant(tenant).map { worker.tenantAuthorizer(tenant, program: $0.program) }
        let reader = try worker.reader(graph: graph, tenant: tenant)
        try reader.renew()
        defer { reader.reset() }
        let entities = reader.entities
        let revision = try entities.revision()
        if let atLeast, revision < atLeast { throw RevisionNotReached(requested: atLeast, current: revision) }
        return try body(Snapshot(
            tenant: tenant, revision: revision, entities: entities, builtIn: builtIn, tenantBundle: tenantAuthorizer,
            runtime: self, versionReader: worker.versionReader))
    }

    /// One snapshot of a tenant's graph and the authorizers for it; valid inside
    /// `withSnapshot` only.
    struct Snapshot {
        let tenant: String
        let revision: UInt64
        let entities: LMDBEntities
        let builtIn: Authorizer
        let tenantBundle: Authorizer?
        /// For the tables the versions are read from: one reference, where copying
        /// `IdentityTables` into every snapshot retained each of its tables.
        let runtime: RuntimeAuthorizer
        let versionReader: RuntimeVersionReader

        func decide(_ request: Evaluator.Request, explain: Bool, versions: RuntimeVersions.Pair) -> RuntimeDecision {
            let mode: AuthorizationMode = explain ? .explain : .complete
            let fromBuiltIn = builtIn.authorize(request, graph: entities, mode: mode)
            let fromTenant = tenantBundle?.authorize(request, graph: entities, mode: mode)
            return RuntimeDecision.merge(builtIn: fromBuiltIn, tenant: fromTenant, explain: explain, versions: versions)
        }

        func versions(subjectId: String) throws -> RuntimeVersions.Pair {
            try versionReader.effective(
                tenantId: tenant, subjectId: subjectId, tables: runtime.identityTables, bundles: runtime.bundles,
                in: entities.transaction)
        }
    }

    private func take() -> CheckWorker {
        pool.withLock { $0.popLast() } ?? CheckWorker()
    }

    private func give(_ worker: CheckWorker) {
        pool.withLock { workers in
            if workers.count < Self.maxIdleWorkers { workers.append(worker) }
        }
    }
}

/// A pool entry: authorizers for the programs it met and read transactions of the
/// tenants it served last. Used by one check at a time (the pool hands it out to one
/// caller and takes it back), hence `@unchecked Sendable`.
final class CheckWorker: @unchecked Sendable {
    static let maxReaders = 2
    static let maxTenantAuthorizers = 8
    private var builtIn: Authorizer?
    private var tenants: [(tenant: String, authorizer: Authorizer)] = []
    /// Most recently used last.
    private var readers: [GraphReader] = []
    let versionReader = RuntimeVersionReader()

    /// An authorizer for `program`, remade when a reload swapped the program.
    func authorizer(for program: Program) -> Authorizer {
        if let builtIn, builtIn.program === program { return builtIn }
        let made = Authorizer(program: program)
        builtIn = made
        return made
    }

    func tenantAuthorizer(_ tenant: String, program: Program) -> Authorizer {
        if let index = tenants.firstIndex(where: { $0.tenant == tenant }) {
            if tenants[index].authorizer.program === program { return tenants[index].authorizer }
            tenants.remove(at: index)
        }
        let made = Authorizer(program: program)
        if tenants.count >= Self.maxTenantAuthorizers { tenants.removeFirst() }
        tenants.append((tenant, made))
        return made
    }

    /// A reader of the tenant's graph, reset (no snapshot open).
    func reader(graph: EntityGraph, tenant: String) throws -> GraphReader {
        if let last = readers.last, last.tenant == tenant { return last }
        if let index = readers.firstIndex(where: { $0.tenant == tenant }) {
            let reader = readers.remove(at: index)
            readers.append(reader)
            return reader
        }
        let reader = try graph.reader(tenant: tenant)
        reader.reset()
        if readers.count >= Self.maxReaders { readers.removeFirst() }
        readers.append(reader)
        return reader
    }
}
