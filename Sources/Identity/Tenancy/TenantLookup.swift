import Store

extension IdentityTables {
    /// The tenant with this slug, if any.
    public func tenant(slug: String, in txn: some TransactionReading) throws -> Tenant? {
        guard let id = try txn.get(tenantSlugs, Key(.string(slug))) else { return nil }
        return try txn.getJSON(Tenant.self, tenants, Key(.string(String(decoding: id, as: UTF8.self))))
    }
}
