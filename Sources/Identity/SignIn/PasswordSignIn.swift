import Foundation
import Store

/// A user whose password just checked out, with the tenant and membership they signed into.
public struct SignedInUser: Sendable, Equatable {
    public var tenant: Tenant
    public var user: User
    public var membership: Membership
}

/// Checks a tenant slug, user name and password. Every failure is the same `nil`, and an
/// unknown user costs the same bcrypt work as a wrong password, so neither the answer nor
/// its timing tells which part was wrong.
public struct PasswordSignIn: Sendable {
    let environment: Environment
    let tables: IdentityTables
    let hasher: PasswordHasher

    public init(environment: Environment, tables: IdentityTables, hasher: PasswordHasher) {
        self.environment = environment
        self.tables = tables
        self.hasher = hasher
    }

    /// A bcrypt hash of a random password at the configured cost, checked against when the
    /// user does not exist so that path takes as long as a real check.
    private static let decoyHashes = DecoyHashes()

    public func authenticate(tenantSlug: String, userName: String, password: String) async throws -> SignedInUser? {
        guard tenantSlug.utf8.count <= 63, userName.utf8.count <= 256,
              password.utf8.count <= PasswordHasher.maxPasswordBytes
        else { return nil }
        let tables = self.tables
        let found: (Tenant, User, Membership?)? = try environment.read { txn in
            guard let tenant = try tables.tenant(slug: tenantSlug, in: txn),
                  let userId = try txn.get(tables.userNames, Key(.string(tenant.id), .string(userName.lowercased()))),
                  let user = try txn.getJSON(User.self, tables.users, Key(.string(tenant.id), .string(String(decoding: userId, as: UTF8.self))))
            else { return nil }
            return (tenant, user, try Self.primaryMembership(of: user, in: txn, tables: tables))
        }
        guard let (tenant, user, membership) = found else {
            _ = await hasher.verify(password, hash: await Self.decoyHashes.hash(cost: hasher.cost))
            return nil
        }
        guard await hasher.verify(password, hash: user.passwordHash), user.active, let membership else { return nil }
        return SignedInUser(tenant: tenant, user: user, membership: membership)
    }

    /// The membership a sign-in lands in: the user's oldest one. (Choosing among several
    /// organizations at sign-in is not offered yet.)
    static func primaryMembership(of user: User, in txn: some TransactionReading, tables: IdentityTables) throws -> Membership? {
        var best: Membership?
        try txn.scan(tables.memberships, prefix: Key(.string(user.tenantId))) { _, value in
            if let membership = try? StoredJSON.decode(Membership.self, from: value), membership.userId == user.id,
               best == nil || membership.createdAt < best!.createdAt {
                best = membership
            }
            return true
        }
        return best
    }
}

/// One decoy hash per cost, made on first use.
actor DecoyHashes {
    private var hashes: [UInt8: String] = [:]

    func hash(cost: UInt8) async -> String {
        if let found = hashes[cost] { return found }
        let made = await PasswordHasher(cost: cost).hash(RandomID.make(prefix: "decoy"))
        hashes[cost] = made
        return made
    }
}
