import Foundation
import Identity

/// A stream configuration as a receiver sends it (SSF 1.0 §8.1.1): what it may set, each
/// field bounded and checked, every mistake reported at once. Transmitter-supplied fields
/// (`iss`, `events_supported`, `events_delivered`, `min_verification_interval`) are
/// accepted and ignored, so a configuration read with GET can be sent back with PUT.
struct SSFStreamInput {
    var audience: [String]?
    var eventsRequested: [String]?
    /// Set when `delivery` was sent: its endpoint and (possibly absent) authorization header.
    var delivery: (endpointURL: String, authorization: String?)?
    /// `.some(nil)` when sent as null (cleared).
    var description: String??

    static let maxBodyBytes = 64 << 10
    static let maxEvents = 20
    static let maxEventTypeBytes = 256
    static let maxAudiences = 10
    static let maxAudienceBytes = 512
    static let maxDescriptionBytes = 1000
    static let maxAuthorizationBytes = 4096
    static let readOnly: Set<String> = ["iss", "events_supported", "events_delivered", "min_verification_interval", "stream_id"]
    static let settable: Set<String> = ["aud", "events_requested", "delivery", "description"]

    /// Reads `object`; `required` names the fields that must be present (create and replace).
    static func read(_ object: [String: JSONValue], required: Set<String>, allowPrivate: Bool) -> (SSFStreamInput, [FieldError]) {
        var input = SSFStreamInput()
        var errors: [FieldError] = []
        for key in object.keys.sorted() where !settable.contains(key) && !readOnly.contains(key) {
            errors.append(FieldError(field: String(key.prefix(60)), message: "is not a stream configuration field"))
        }
        for field in required.sorted() where object[field] == nil {
            errors.append(FieldError(field: field, message: "is required"))
        }
        switch object["aud"] {
        case nil: break
        case .string(let value)?:
            if let problem = audienceProblem(value) { errors.append(FieldError(field: "aud", message: problem)) } else { input.audience = [value] }
        case .array(let values)?:
            var audience: [String] = []
            if values.isEmpty || values.count > maxAudiences {
                errors.append(FieldError(field: "aud", message: "must list 1 to \(maxAudiences) audiences"))
            }
            for (index, value) in values.prefix(maxAudiences).enumerated() {
                guard case .string(let text) = value else {
                    errors.append(FieldError(field: "aud[\(index)]", message: "must be a string"))
                    continue
                }
                if let problem = audienceProblem(text) { errors.append(FieldError(field: "aud[\(index)]", message: problem)) }
                else if !audience.contains(text) { audience.append(text) }
            }
            input.audience = audience
        case let other?:
            errors.append(FieldError(field: "aud", message: "must be a string or an array of strings, not \(other.typeDescription)"))
        }
        switch object["events_requested"] {
        case nil: break
        case .array(let values)?:
            var events: [String] = []
            if values.count > maxEvents { errors.append(FieldError(field: "events_requested", message: "must list at most \(maxEvents) event types")) }
            for (index, value) in values.prefix(maxEvents).enumerated() {
                guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= maxEventTypeBytes else {
                    errors.append(FieldError(field: "events_requested[\(index)]", message: "must be an event type URI of 1 to \(maxEventTypeBytes) bytes"))
                    continue
                }
                if !events.contains(text) { events.append(text) }
            }
            input.eventsRequested = events
        case let other?:
            errors.append(FieldError(field: "events_requested", message: "must be an array of event type URIs, not \(other.typeDescription)"))
        }
        switch object["description"] {
        case nil: break
        case .null?: input.description = .some(nil)
        case .string(let text)?:
            if text.utf8.count > maxDescriptionBytes {
                errors.append(FieldError(field: "description", message: "must be at most \(maxDescriptionBytes) bytes"))
            } else { input.description = .some(text) }
        case let other?:
            errors.append(FieldError(field: "description", message: "must be a string, not \(other.typeDescription)"))
        }
        switch object["delivery"] {
        case nil: break
        case .object(let delivery)?:
            for key in delivery.keys.sorted() where !["method", "endpoint_url", "authorization_header"].contains(key) {
                errors.append(FieldError(field: "delivery.\(key.prefix(60))", message: "is not a delivery field"))
            }
            var endpoint: String?
            var authorization: String?
            switch delivery["method"] {
            case .string(SSFEventTypes.pushMethod)?: break
            case .string(SSFEventTypes.pollMethod)?:
                errors.append(FieldError(field: "delivery.method", message: "poll delivery (urn:ietf:rfc:8936) is not supported; use urn:ietf:rfc:8935 (push)"))
            case nil: errors.append(FieldError(field: "delivery.method", message: "is required (urn:ietf:rfc:8935)"))
            default: errors.append(FieldError(field: "delivery.method", message: "must be urn:ietf:rfc:8935 (push), the only method supported"))
            }
            switch delivery["endpoint_url"] {
            case .string(let url)?:
                if let problem = WebhookRoutes.urlProblem(url, allowPrivate: allowPrivate) {
                    errors.append(FieldError(field: "delivery.endpoint_url", message: problem))
                } else { endpoint = url }
            case nil: errors.append(FieldError(field: "delivery.endpoint_url", message: "is required for push delivery"))
            default: errors.append(FieldError(field: "delivery.endpoint_url", message: "must be a string"))
            }
            switch delivery["authorization_header"] {
            case nil, .null?: break
            case .string(let value)?:
                if value.isEmpty || value.utf8.count > maxAuthorizationBytes
                    || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) {
                    errors.append(FieldError(
                        field: "delivery.authorization_header",
                        message: "must be 1 to \(maxAuthorizationBytes) printable ASCII characters (an Authorization header value)"))
                } else { authorization = value }
            default: errors.append(FieldError(field: "delivery.authorization_header", message: "must be a string"))
            }
            if let endpoint { input.delivery = (endpoint, authorization) }
        case let other?:
            errors.append(FieldError(field: "delivery", message: "must be an object {method, endpoint_url, authorization_header?}, not \(other.typeDescription)"))
        }
        return (input, errors)
    }

    static func audienceProblem(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= maxAudienceBytes,
              !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return "must be 1 to \(maxAudienceBytes) bytes without control characters" }
        return nil
    }
}
