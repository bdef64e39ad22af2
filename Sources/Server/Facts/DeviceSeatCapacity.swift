import Devices
import Identity
import Store

/// Device seats come out of the tenant's active licensing subscription to the product:
/// its seat count less the seats assigned to users. Read inside the activation's write
/// transaction, so the check and the take cannot be split by another writer.
struct LicensingSeatCapacity: SeatCapacity {
    let licensing: LicensingStore

    func deviceSeats(tenantId: String, productKey: String, in txn: some TransactionReading) throws -> Int64? {
        guard let subscription = try licensing.activeSubscription(tenantId: tenantId, productKey: productKey, in: txn) else { return nil }
        let assigned = try licensing.assignedSeats(tenantId: tenantId, productKey: productKey, in: txn)
        return max(0, subscription.seats - Int64(assigned))
    }
}
