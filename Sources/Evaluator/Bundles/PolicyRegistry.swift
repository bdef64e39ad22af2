import Synchronization

/// A tenant's active policy bundle, ready to run.
public struct ActiveBundle: Sendable {
    public var version: String
    public var program: Program

    public init(version: String, program: Program) {
        self.version = version
        self.program = program
    }
}

/// The programs checks run against: the built-in set compiled from `Policies/`, and each
/// tenant's active bundle. Programs are immutable, so a swap replaces a reference: a check
/// that already took its program finishes on it, and the next check sees the new one —
/// never half of each. The lock guards only the reference swap and read, never evaluation
/// or an LMDB read.
public final class PolicyRegistry: Sendable {
    private struct State {
        var builtIn: Program
        var tenants: [String: ActiveBundle]
    }

    private let state: Mutex<State>

    public init(builtIn: Program, tenants: [String: ActiveBundle] = [:]) {
        state = Mutex(State(builtIn: builtIn, tenants: tenants))
    }

    public var builtIn: Program { state.withLock { $0.builtIn } }

    public func replaceBuiltIn(_ program: Program) {
        state.withLock { $0.builtIn = program }
    }

    public func tenant(_ tenantId: String) -> ActiveBundle? {
        state.withLock { $0.tenants[tenantId] }
    }

    public func activate(_ bundle: ActiveBundle, tenant tenantId: String) {
        state.withLock { $0.tenants[tenantId] = bundle }
    }
}
