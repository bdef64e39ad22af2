import Evaluator
import Foundation
import Identity
import PolicyLang

/// A resource scope as the API shows it.
struct ScopeDTO: Encodable {
    var id: String
    var organizationId: String
    var parentId: String?
    var name: String
    var path: String
    var depth: Int
    var createdAt: Date

    init(_ scope: Scope) {
        id = scope.id
        organizationId = scope.organizationId
        parentId = scope.parentId
        name = scope.name
        path = scope.path
        depth = scope.depth
        createdAt = scope.createdAt
    }
}

/// A member's grants on a scope as the API shows them.
struct MemberGrantsDTO: Encodable {
    struct Grant: Encodable {
        var action: String
        var effect: String
    }

    var scopeId: String
    var memberId: String
    var grants: [Grant]
    var updatedAt: Date

    init(_ record: MemberGrants) {
        scopeId = record.scopeId
        memberId = record.memberId
        grants = record.grants.map { Grant(action: $0.action, effect: $0.effect.rawValue) }
        updatedAt = record.updatedAt
    }
}

/// The body of `POST /api/runtime/scopes`: `{organizationId, parentId?, name}`.
struct CreateScopeBody {
    var organizationId: String
    var parentId: String?
    var name: String

    static func read(_ fields: inout ManagementFields) throws -> CreateScopeBody {
        let organizationId = fields.string("organizationId")
        let parentId = fields.optionalString("parentId")
        let name = fields.string("name")
        var errors = fields.finish()
        if let name, !ScopeRules.isValidName(name) { errors.append(FieldError(field: "name", message: ScopeRules.nameRule)) }
        if let organizationId, organizationId.isEmpty || organizationId.utf8.count > 100 {
            errors.append(FieldError(field: "organizationId", message: "must be the id of an organization of your tenant"))
        }
        if let parentId, parentId.isEmpty || parentId.utf8.count > 100 {
            errors.append(FieldError(field: "parentId", message: "must be the id of a scope of the same organization"))
        }
        guard errors.isEmpty, let organizationId, let name else { throw ProblemError.validation(errors) }
        return CreateScopeBody(organizationId: organizationId, parentId: parentId, name: name)
    }
}

/// The body of `PUT /api/runtime/scopes/{scopeId}/grants/{memberId}`:
/// `{grants: [{action: "read" | "*", effect: "allow" | "deny"}]}` — 1 to 32 grants, each
/// action at most once (to remove them all, DELETE).
enum ScopeGrantsBody {
    static func read(_ object: [String: JSONValue]) throws -> [ScopeGrant] {
        var errors: [FieldError] = []
        for key in object.keys.sorted() where key != "grants" {
            errors.append(FieldError(field: key, message: "is not a known field"))
        }
        var grants: [ScopeGrant] = []
        switch object["grants"] {
        case nil, .null?:
            errors.append(FieldError(field: "grants", message: "is required"))
        case .array(let items)?:
            if items.isEmpty {
                errors.append(FieldError(field: "grants", message: "must list at least one grant; to remove them all, DELETE"))
            } else if items.count > ScopeRules.maxGrantsPerMember {
                errors.append(FieldError(field: "grants", message: "may list at most \(ScopeRules.maxGrantsPerMember) grants"))
            } else {
                var actions = Set<String>()
                for (index, item) in items.enumerated() {
                    let field = "grants[\(index)]"
                    guard case .object(let members) = item else {
                        errors.append(FieldError(field: field, message: #"must be {"action": "…", "effect": "allow" | "deny"}"#))
                        continue
                    }
                    for key in members.keys.sorted() where key != "action" && key != "effect" {
                        errors.append(FieldError(field: "\(field).\(key)", message: "is not a known field"))
                    }
                    var action: String?
                    if case .string(let text)? = members["action"], ScopeRules.isValidAction(text) {
                        action = text
                    } else {
                        errors.append(FieldError(field: "\(field).action", message: ScopeRules.actionRule))
                    }
                    var effect: ScopeGrant.Effect?
                    if case .string(let text)? = members["effect"], let value = ScopeGrant.Effect(rawValue: text) {
                        effect = value
                    } else {
                        errors.append(FieldError(field: "\(field).effect", message: "must be allow or deny"))
                    }
                    guard let action, let effect else { continue }
                    guard actions.insert(action).inserted else {
                        errors.append(FieldError(field: "\(field).action", message: "'\(action)' is listed twice"))
                        continue
                    }
                    grants.append(ScopeGrant(action: action, effect: effect))
                }
            }
        case let other?:
            errors.append(FieldError(field: "grants", message: "must be a list of grants, not \(other.typeDescription)"))
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        return grants
    }
}

/// What the scope routes share: the management-API entity a scope is authorized on and the mapping of
/// `ScopeError` to problems.
enum ScopesAPI {
    static func tenantUID(_ tenantId: String) -> EntityUID { ManagementAuthorizer.tenantUID(tenantId) }

    /// The scope's Organization as the built-in policies see it (child of the Tenant).
    static func organization(_ scope: Scope) -> PolicyEntity {
        PolicyEntity(
            uid: ScopeFacts.organizationUID(scope.organizationId), attributes: ["tenant": .entity(tenantUID(scope.tenantId))],
            parents: [tenantUID(scope.tenantId)])
    }

    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ScopeError {
            switch error {
            case .unknownScope(let id):
                throw ProblemError.notFound("no scope '\(id.prefix(100))' in your tenant")
            case .unknownOrganization(let id):
                throw ProblemError.notFound("no organization '\(id.prefix(100))' in your tenant")
            case .unknownParent(let id):
                throw ProblemError.notFound("no parent scope '\(id.prefix(100))' in your tenant")
            case .unknownMember(let id):
                throw ProblemError.notFound("no member '\(id.prefix(100))' of this scope's organization with grants here")
            case .parentInOtherOrganization:
                throw ProblemError.validation([FieldError(field: "parentId", message: "is a scope of another organization")])
            case .tooDeep:
                throw ProblemError.validation([FieldError(
                    field: "parentId", message: "is at the deepest level; scopes nest at most \(ScopeRules.maxDepth + 1) levels")])
            case .pathTaken(let path):
                throw ProblemError.conflict(
                    type: "scope-path-taken", title: "The scope path is taken",
                    detail: "a scope at '\(path)' exists in your tenant; paths are unique per tenant")
            case .hasChildren(let count):
                throw ProblemError.conflict(
                    type: "scope-has-children", title: "The scope still has children",
                    detail: "delete its \(count) child scope\(count == 1 ? "" : "s") first")
            case .tooManyScopes(let limit):
                throw ProblemError.conflict(
                    type: "quota-exceeded", title: "Too many scopes",
                    detail: "an organization may hold at most \(limit) scopes; delete some first")
            }
        }
    }
}
