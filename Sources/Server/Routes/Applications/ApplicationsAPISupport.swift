import Foundation
import Hummingbird
import Identity

/// What the applications, environments and clients routes share: paging parameters and
/// the translation of registry errors into problem details.
enum ApplicationsAPI {
    /// `?limit=` (1…100, default 50) and `?after=` (the last id of the previous page).
    static func paging(_ request: Request) throws -> (limit: Int, after: String?) {
        var errors: [FieldError] = []
        var limit = Page<Identity.Application>.defaultLimit
        if let raw = request.uri.queryParameters.get("limit") {
            if let value = Int(raw), (1...Page<Identity.Application>.maxLimit).contains(value) {
                limit = value
            } else {
                errors.append(FieldError(field: "limit", message: "must be a whole number from 1 to \(Page<Identity.Application>.maxLimit)"))
            }
        }
        let after = request.uri.queryParameters.get("after")
        if let after, after.isEmpty || after.utf8.count > 100 {
            errors.append(FieldError(field: "after", message: "must be the id of the last item of the previous page"))
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        return (limit, after)
    }

    /// A JSON object body (the size limit of the server) read field by field.
    static func fields(_ request: Request, limit: Int) async throws -> ManagementFields {
        ManagementFields(try await RequestBody.jsonObject(request, limit: limit))
    }

    /// Like `fields`, but an empty body reads as `{}` (for routes whose fields are all optional).
    static func optionalFields(_ request: Request, limit: Int) async throws -> ManagementFields {
        if let type = request.headers[.contentType], !RequestBody.isJSON(type) {
            throw ProblemError.unsupportedMediaType(type)
        }
        let buffer = try await RequestBody.collect(request, limit: limit)
        guard buffer.readableBytesView.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            return ManagementFields([:])
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ProblemError.malformedBody("the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw ProblemError.malformedBody("the body must be a JSON object, not \(value.typeDescription)")
        }
        return ManagementFields(object)
    }

    /// Runs a registry call, answering its domain errors as problems.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let quota as QuotaExceeded {
            throw ProblemError.conflict(
                type: "quota-exceeded", title: "The plan's quota is exceeded",
                detail: "\(quota.limit): the \(quota.plan.rawValue) plan allows \(quota.allowed) " + noun(quota.limit)
                    + "; delete one or move to a larger plan")
        } catch let error as ClientRegistryError {
            switch error {
            case .unknownApplication:
                throw ProblemError.notFound("no such application")
            case .unknownClient:
                throw ProblemError.notFound("no such client")
            case .unknownEnvironment(let id):
                throw ProblemError.validation([FieldError(
                    field: "environmentId", message: "'\(id.prefix(100))' is not an environment of this application")])
            case .applicationKeyTaken(let key):
                throw ProblemError.conflict(
                    type: "application-key-taken", title: "The application key is taken",
                    detail: "another application of this tenant has key '\(key)'; choose another key")
            case .environmentExists(let kind):
                throw ProblemError.conflict(
                    type: "environment-exists", title: "The environment exists",
                    detail: "this application already has a \(kind.rawValue) environment")
            case .applicationHasClients(let count):
                throw ProblemError.conflict(
                    type: "application-has-clients", title: "The application still has clients",
                    detail: "delete its \(count) client\(count == 1 ? "" : "s") first")
            }
        }
    }

    static func noun(_ limit: String) -> String {
        switch limit {
        case "maxApplications": return "applications per tenant"
        case "maxEnvironments": return "environments per application"
        case "maxClients": return "clients per tenant"
        default: return "objects"
        }
    }

    static func requireChanges(_ isEmpty: Bool) throws {
        if isEmpty {
            throw ProblemError.validation([FieldError(field: "body", message: "name at least one field to change")])
        }
    }
}

/// A listing page as JSON: `{"items": […], "nextAfter": "…"}` (no `nextAfter` on the last page).
struct PageDTO<Item: Encodable>: Encodable {
    var items: [Item]
    var nextAfter: String?
}
