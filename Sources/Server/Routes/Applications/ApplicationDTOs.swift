import Foundation
import Identity

/// An application as the API shows it.
struct ApplicationDTO: Encodable {
    var id: String
    var key: String
    var name: String
    var status: String
    var externalConsumption: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ application: Identity.Application) {
        id = application.id
        key = application.key
        name = application.name
        status = application.status.rawValue
        externalConsumption = application.externalConsumption
        createdAt = application.createdAt
        updatedAt = application.updatedAt
    }
}

/// The body of `POST /api/applications`.
struct CreateApplicationBody {
    var name: String
    var key: String?
    var externalConsumption: Bool

    static func read(_ fields: inout ManagementFields) throws -> CreateApplicationBody {
        let name = fields.string("name")
        let key = fields.optionalString("key")
        let external = fields.optionalBool("externalConsumption")
        let errors = fields.finish()
        guard errors.isEmpty, let name else { throw ProblemError.validation(errors) }
        return CreateApplicationBody(name: name, key: key, externalConsumption: external ?? false)
    }
}

/// The body of `PATCH /api/applications/{applicationId}`.
enum ApplicationPatchBody {
    static func read(_ fields: inout ManagementFields) throws -> ApplicationPatch {
        let patch = ApplicationPatch(
            name: fields.optionalString("name"), key: fields.optionalString("key"),
            status: fields.optionalEnum("status", Identity.Application.Status.self),
            externalConsumption: fields.optionalBool("externalConsumption"))
        let errors = fields.finish()
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        try ApplicationsAPI.requireChanges(patch.isEmpty)
        return patch
    }
}
