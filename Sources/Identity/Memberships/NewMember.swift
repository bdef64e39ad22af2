import Foundation
import Store

/// Who a new membership is for: a user the tenant already has, or a user to create with
/// the membership.
public enum NewMember: Sendable, Equatable {
    case existingUser(id: String)
    case newUser(userName: String, email: String, password: String)

    /// Every rule the input breaks (field names as the API spells them).
    public func validationErrors() -> [FieldError] {
        switch self {
        case .existingUser(let id):
            return id.isEmpty || id.utf8.count > 100 ? [FieldError(field: "userId", message: "must be the id of a user of your tenant")] : []
        case .newUser(let userName, let email, let password):
            var errors: [FieldError] = []
            if !TenantRegistration.isValidUserName(userName) {
                errors.append(FieldError(field: "user.userName", message: "must be 1 to 100 characters with no spaces or control characters"))
            }
            if !TenantRegistration.isValidEmail(email) {
                errors.append(FieldError(field: "user.email", message: "must be an email address such as ada@example.com"))
            }
            if password.count < 12 {
                errors.append(FieldError(field: "user.password", message: "must be at least 12 characters"))
            } else if password.utf8.count > PasswordHasher.maxPasswordBytes {
                errors.append(FieldError(field: "user.password", message: "must be at most \(PasswordHasher.maxPasswordBytes) bytes of UTF-8"))
            }
            return errors
        }
    }

    /// Validates and, for a new user, pays for bcrypt now — outside any write transaction,
    /// which must stay short because LMDB has one writer at a time.
    public func prepared(tenantId: String, hasher: PasswordHasher, now: Date = Date()) async throws -> PreparedMember {
        let errors = validationErrors()
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        switch self {
        case .existingUser(let id):
            return .existingUser(id: id)
        case .newUser(let userName, let email, let password):
            let hash = await hasher.hash(password)
            return .newUser(User(
                id: RandomID.make(prefix: "usr"), tenantId: tenantId, userName: userName, email: email,
                passwordHash: hash, active: true, createdAt: now))
        }
    }
}

/// A `NewMember` checked and ready to write: a new user already carries its bcrypt hash.
public enum PreparedMember: Sendable, Equatable {
    case existingUser(id: String)
    case newUser(User)
}
