import Foundation

/// A subject identifier (RFC 9493) of the formats this transmitter understands: `email`,
/// `iss_sub`, `opaque`, and `complex` (CAEP: a user, device, session… together).
///
/// Each has a canonical `key`: what a stream's subject table is keyed by and what an
/// event's candidate subjects are looked up by. Email addresses compare case-insensitively.
indirect enum SSFSubject: Sendable, Equatable {
    case email(String)
    case issSub(iss: String, sub: String)
    case opaque(String)
    /// Members by name (`user`, `device`, …), each a simple identifier.
    case complex([String: SSFSubject])

    static let maxValueBytes = 512
    static let complexMembers: Set<String> = ["user", "device", "session", "application", "tenant", "org_unit", "group"]

    var key: String {
        switch self {
        case .email(let email): return "email\n" + email.lowercased()
        case .issSub(let iss, let sub): return "iss_sub\n" + iss + "\n" + sub
        case .opaque(let id): return "opaque\n" + id
        case .complex(let members):
            // Tabs and newlines are refused in values, so the joined key is unambiguous.
            return "complex" + members.keys.sorted().map { "\t" + $0 + "=" + members[$0]!.key }.joined()
        }
    }

    var json: JSONValue {
        switch self {
        case .email(let email): return .object(["format": .string("email"), "email": .string(email)])
        case .issSub(let iss, let sub): return .object(["format": .string("iss_sub"), "iss": .string(iss), "sub": .string(sub)])
        case .opaque(let id): return .object(["format": .string("opaque"), "id": .string(id)])
        case .complex(let members):
            var object: [String: JSONValue] = ["format": .string("complex")]
            for (name, member) in members { object[name] = member.json }
            return .object(object)
        }
    }

    /// Reads a subject, or says why it is not one (for a 400 naming `field`).
    static func parse(_ value: JSONValue, allowComplex: Bool = true) -> Result<SSFSubject, SubjectProblem> {
        guard case .object(let object) = value else { return .failure(SubjectProblem("must be a subject identifier object (RFC 9493)")) }
        guard case .string(let format)? = object["format"] else { return .failure(SubjectProblem("needs a format")) }
        func string(_ name: String) -> Result<String, SubjectProblem> {
            guard case .string(let text)? = object[name] else { return .failure(SubjectProblem("format \(format) needs the string member \(name)")) }
            guard !text.isEmpty, text.utf8.count <= maxValueBytes,
                  !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else { return .failure(SubjectProblem("\(name) must be 1 to \(maxValueBytes) bytes without control characters")) }
            return .success(text)
        }
        func only(_ names: Set<String>) -> SubjectProblem? {
            let extra = Set(object.keys).subtracting(names).subtracting(["format"])
            return extra.isEmpty ? nil : SubjectProblem("format \(format) has unknown members: \(extra.sorted().joined(separator: ", ").prefix(200))")
        }
        switch format {
        case "email":
            if let problem = only(["email"]) { return .failure(problem) }
            return string("email").flatMap { email in
                let parts = email.split(separator: "@", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !email.contains(" ") else {
                    return .failure(SubjectProblem("email must be an address such as alice@example.com"))
                }
                return .success(.email(email))
            }
        case "iss_sub":
            if let problem = only(["iss", "sub"]) { return .failure(problem) }
            return string("iss").flatMap { iss in string("sub").map { .issSub(iss: iss, sub: $0) } }
        case "opaque":
            if let problem = only(["id"]) { return .failure(problem) }
            return string("id").map { .opaque($0) }
        case "complex":
            guard allowComplex else { return .failure(SubjectProblem("a complex subject cannot be nested")) }
            var members: [String: SSFSubject] = [:]
            for (name, member) in object where name != "format" {
                guard complexMembers.contains(name) else {
                    return .failure(SubjectProblem("'\(name.prefix(40))' is not a complex subject member; known: \(complexMembers.sorted().joined(separator: ", "))"))
                }
                switch parse(member, allowComplex: false) {
                case .success(let subject): members[name] = subject
                case .failure(let problem): return .failure(SubjectProblem("\(name): \(problem.message)"))
                }
            }
            guard !members.isEmpty else { return .failure(SubjectProblem("a complex subject needs at least one member (user, device, …)")) }
            return .success(.complex(members))
        default:
            return .failure(SubjectProblem("format '\(format.prefix(40))' is not supported; supported: email, iss_sub, opaque, complex"))
        }
    }
}

struct SubjectProblem: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
