import Foundation
import Identity

/// An application environment as the API shows it.
struct EnvironmentDTO: Encodable {
    var id: String
    var applicationId: String
    var kind: String
    var name: String
    var createdAt: Date

    init(_ environment: ApplicationEnvironment) {
        id = environment.id
        applicationId = environment.applicationId
        kind = environment.kind.rawValue
        name = environment.name
        createdAt = environment.createdAt
    }
}

/// The body of `POST /api/applications/{applicationId}/environments`.
struct CreateEnvironmentBody {
    var kind: ApplicationEnvironment.Kind
    var name: String?

    static func read(_ fields: inout ManagementFields) throws -> CreateEnvironmentBody {
        let rawKind = fields.string("kind")
        let name = fields.optionalString("name")
        var errors = fields.finish()
        let kind = rawKind.flatMap(ApplicationEnvironment.Kind.init(rawValue:))
        if rawKind != nil, kind == nil {
            errors.append(FieldError(
                field: "kind", message: "must be one of " + ApplicationEnvironment.Kind.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        guard errors.isEmpty, let kind else { throw ProblemError.validation(errors) }
        return CreateEnvironmentBody(kind: kind, name: name)
    }
}
