import Evaluator
import Foundation
import PolicyLang
import Synchronization

/// Compiles uploads and makes stored versions active: LMDB first (one write transaction),
/// then the in-memory `PolicyRegistry`.
///
/// Two activations of one tenant can commit in one order and reach the registry in the
/// other (each swaps after its own commit). Every activation carries the tenant's policy
/// epoch, which grows by one per committed activation, so the registry only ever moves to
/// a larger epoch: whatever order the swaps run in, the registry ends on the bundle LMDB
/// says is active.
final class PolicyBundleActivator: Sendable {
    let store: TenantBundleStore
    let registry: PolicyRegistry
    private let appliedEpochs = Mutex<[String: Int64]>([:])

    init(store: TenantBundleStore, registry: PolicyRegistry) {
        self.store = store
        self.registry = registry
    }

    /// Stores and activates a compiled upload.
    func publish(_ bundle: PolicyBundle, sources: [String: String], tenant: String, actor: String) async throws -> BundleActivation {
        let activation = try await store.store(bundle, sources: sources, tenant: tenant, actor: actor, activate: true)
        swap(activation, tenant: tenant)
        return activation
    }

    /// Re-activates a stored version (rollback or roll forward).
    func activate(_ version: String, tenant: String, actor: String) async throws -> BundleActivation {
        let activation = try await store.activateVersion(version, tenant: tenant, actor: actor)
        swap(activation, tenant: tenant)
        return activation
    }

    private func swap(_ activation: BundleActivation, tenant: String) {
        appliedEpochs.withLock { applied in
            guard activation.policyEpoch > applied[tenant] ?? 0 else { return }
            applied[tenant] = activation.policyEpoch
            registry.activate(
                ActiveBundle(version: activation.info.version, program: Program(bundle: activation.bundle)), tenant: tenant)
        }
    }

    /// Compiles uploaded files off the caller's executor: a large upload takes a while to
    /// compile, and request handlers may run on an event loop.
    static func compile(_ files: [String: String]) async -> PolicyBuild.Output {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: PolicyBuild.build(files: files))
            }
        }
    }
}
