import Foundation

struct WebhookDTO: Encodable {
    var id: String
    var organizationId: String
    var url: String
    var eventTypes: [String]
    var createdAt: Date
    var createdBy: String
    /// Only in the creation answer.
    var secret: String?

    init(_ webhook: Webhook) {
        id = webhook.id
        organizationId = webhook.organizationId
        url = webhook.url
        eventTypes = webhook.eventTypes
        createdAt = webhook.createdAt
        createdBy = webhook.createdBy
    }
}

struct WebhookListDTO: Encodable {
    var items: [WebhookDTO]
}

struct WebhookDeliveryDTO: Encodable {
    var id: String
    var webhookId: String
    var eventId: String
    var eventType: String
    var status: String
    var attempts: Int
    var lastResponseCode: Int?
    var lastError: String?
    var lastAttemptAt: Date?
    var nextAttemptAt: Date?
    var deliveredAt: Date?
    var createdAt: Date

    init(_ delivery: WebhookDelivery) {
        id = delivery.id
        webhookId = delivery.webhookId
        eventId = delivery.eventId
        eventType = delivery.eventType
        status = delivery.status.rawValue
        attempts = delivery.attempts
        lastResponseCode = delivery.lastResponseCode
        lastError = delivery.lastError
        lastAttemptAt = delivery.lastAttemptAt
        nextAttemptAt = delivery.nextAttemptAt
        deliveredAt = delivery.deliveredAt
        createdAt = delivery.createdAt
    }
}

struct WebhookDeliveryPageDTO: Encodable {
    var items: [WebhookDeliveryDTO]
    var nextCursor: String?
}
