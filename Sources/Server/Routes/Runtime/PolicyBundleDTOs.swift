import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import PolicyLang

/// One stored version of a tenant's policy bundle, as the policy-bundle routes answer it.
struct PolicyBundleVersionDTO: Encodable {
    var version: String
    var createdAt: Date
    var createdBy: String
    /// When it last became active (absent: never).
    var activatedAt: Date?
    var active: Bool
    var rules: Int
    var bytes: Int
    var files: [String]?

    init(_ info: BundleVersionInfo, active: Bool) {
        version = info.version
        createdAt = info.createdAt
        createdBy = info.createdBy
        activatedAt = info.activatedAt
        self.active = active
        rules = info.rules
        bytes = info.bytes
        files = info.files
    }
}

/// The answer of an upload or an activation: the version now active, the tenant's revision
/// after the change (for `atLeastRevision`) and its policy epoch (part of every subject's
/// `permVer`).
struct PolicyBundleActivationDTO: Encodable {
    var version: String
    var createdAt: Date
    var createdBy: String
    var activatedAt: Date?
    var active: Bool
    var rules: Int
    var bytes: Int
    var files: [String]?
    var revision: UInt64
    var policyEpoch: Int64

    init(_ activation: BundleActivation) {
        let info = PolicyBundleVersionDTO(activation.info, active: true)
        version = info.version
        createdAt = info.createdAt
        createdBy = info.createdBy
        activatedAt = info.activatedAt
        active = true
        rules = info.rules
        bytes = info.bytes
        files = info.files
        revision = activation.revision
        policyEpoch = activation.policyEpoch
    }
}

/// `GET /api/runtime/policies/{version}`: the record and the files as uploaded.
struct PolicyBundleDetailDTO: Encodable {
    var version: PolicyBundleVersionDTO
    var sources: [String: String]

    func encode(to encoder: Encoder) throws {
        try version.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(sources, forKey: .sources)
    }

    enum Keys: String, CodingKey { case sources }
}

struct PolicyBundlePageDTO: Encodable {
    var items: [PolicyBundleVersionDTO]
    /// The active version, absent while the tenant has none.
    var activeVersion: String?
    var policyEpoch: Int64
    var nextAfter: String?
}

/// A 422 answer listing every diagnostic of a refused upload: RFC 9457 problem details
/// with a `diagnostics` member, each `{file, line, column, severity, message, hint?}`.
/// Returned, not thrown: `ErrorMiddleware` would flatten an unknown error type into a
/// plain problem without the diagnostics.
struct PolicyBundleRejected {
    var diagnostics: [Diagnostic]

    var status: HTTPResponse.Status { .unprocessableContent }

    struct Body: Encodable {
        var type = "urn:arbiter:problem:policy-bundle-invalid"
        var title = "The policy files do not compile"
        var status = 422
        var detail: String
        var instance: String
        var diagnostics: [Diagnostic]
    }

    func response(for request: Request) throws -> Response {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        let body = Body(
            detail: "\(errors) error\(errors == 1 ? "" : "s") and \(warnings) warning\(warnings == 1 ? "" : "s"); nothing was stored or activated",
            instance: request.uri.path, diagnostics: diagnostics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }
}
