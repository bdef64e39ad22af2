import Store

/// How many device seats a tenant may hold of a product. Devices does not know licensing
/// (it lives in Identity); Server answers this from the tenant's active subscription, read
/// inside the same write transaction that takes the seat, so check and take are atomic.
public protocol SeatCapacity: Sendable {
    /// The seats available to device activations, or nil when the tenant holds no active
    /// subscription to the product.
    func deviceSeats(tenantId: String, productKey: String, in txn: some TransactionReading) throws -> Int64?
}

/// A fixed capacity per product (tests, and tenants without licensing).
public struct FixedSeatCapacity: SeatCapacity {
    public var seats: [String: Int64]
    public init(_ seats: [String: Int64]) { self.seats = seats }
    public func deviceSeats(tenantId: String, productKey: String, in txn: some TransactionReading) throws -> Int64? {
        seats[productKey]
    }
}
