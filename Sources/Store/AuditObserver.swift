import Synchronization

/// Called by `appendAudit` inside the write transaction that records the event, so
/// whatever it writes (the webhook outbox) commits or aborts together with the event and
/// the change it describes. It must stay in the transaction: no network, no waiting.
public typealias AuditObserver = @Sendable (WriteTransaction, AuditEvent) throws -> Void

/// The environment's audit observers, by name. Set once at start (`set` replaces, so
/// building the server's services twice over one environment does not notify twice).
public final class AuditObservers: Sendable {
    private let observers = Mutex<[(name: String, observer: AuditObserver)]>([])

    public init() {}

    public func set(_ name: String, _ observer: AuditObserver?) {
        observers.withLock { list in
            list.removeAll { $0.name == name }
            if let observer { list.append((name, observer)) }
        }
    }

    func notify(_ txn: WriteTransaction, _ event: AuditEvent) throws {
        let current = observers.withLock { $0 }
        for entry in current { try entry.observer(txn, event) }
    }
}
