/// What a new customer sends to create a tenant with its first administrator.
public struct TenantRegistration: Sendable, Equatable {
    public var tenantName: String
    public var tenantSlug: String
    public var userName: String
    public var email: String
    public var password: String
    public var planCode: String

    public init(tenantName: String, tenantSlug: String, userName: String, email: String, password: String, planCode: String) {
        self.tenantName = tenantName
        self.tenantSlug = tenantSlug
        self.userName = userName
        self.email = email
        self.password = password
        self.planCode = planCode
    }

    /// Every rule the input breaks, one entry per field at most.
    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(FieldError(field: field, message: message)) }

        let name = tenantName.trimmingWhitespace
        if name.isEmpty {
            fail("tenantName", "must not be empty")
        } else if name.count > 200 {
            fail("tenantName", "must be at most 200 characters")
        }
        if !Self.isValidSlug(tenantSlug) {
            fail("tenantSlug", "must be 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit")
        }
        if !Self.isValidUserName(userName) {
            fail("userName", "must be 1 to 100 characters with no spaces or control characters")
        }
        if !Self.isValidEmail(email) {
            fail("email", "must be an email address such as admin@example.com")
        }
        if password.count < 12 {
            fail("password", "must be at least 12 characters")
        } else if password.utf8.count > PasswordHasher.maxPasswordBytes {
            fail("password", "must be at most \(PasswordHasher.maxPasswordBytes) bytes of UTF-8")
        }
        if Plan(rawValue: planCode) == nil {
            fail("planCode", "must be one of " + Plan.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return errors
    }

    /// `^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$`, checked by hand on bytes.
    static func isValidSlug(_ slug: String) -> Bool {
        let bytes = Array(slug.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2D }
    }

    static func isValidUserName(_ name: String) -> Bool {
        guard (1...100).contains(name.count) else { return false }
        return name.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0.properties.generalCategory != .control }
    }

    /// The practical subset of RFC 5321 addresses: one `@`, a dot-atom local part of at
    /// most 64 bytes, and a domain of dot-separated labels with a final label of letters.
    static func isValidEmail(_ email: String) -> Bool {
        guard email.utf8.count <= 254 else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        let local = parts[0]
        guard local.allSatisfy({ localAllowed.contains($0) }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count),
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                  !label.hasPrefix("-"), !label.hasSuffix("-")
            else { return false }
        }
        return labels.last!.count >= 2 && labels.last!.allSatisfy { $0.isLetter }
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
