import Foundation
import Logging
import ServiceLifecycle

/// The background service that drains the webhook outbox every `pollInterval` for as long
/// as the server runs (added to the application's services in `ArbiterApplication.make`).
/// A pass that fails (LMDB error) is logged and the next one tries again.
struct WebhookDeliveryService: Service {
    let drainer: WebhookDrainer
    let pollInterval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    // Keep draining while passes come back full.
                    while try await drainer.drainOnce() >= drainer.batchSize, !Task.isCancelled {}
                } catch {
                    drainer.logger.error("webhook outbox pass failed", metadata: ["error": .string("\(error)")])
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
    }
}

extension ArbiterApplication {
    /// The outbox drainer the application runs beside its HTTP server, with the configured
    /// retry base delay and poll interval; outcomes go to the metrics' webhook counter.
    static func webhookDeliveryService(services: Services, configuration: ServerConfiguration, logger: Logger) -> WebhookDeliveryService {
        let metrics = services.metrics
        let transport = HTTPWebhookTransport(
            allowPrivateAddresses: OutboundAddresses.allowsPrivate(publicBaseURL: services.tokenIssuer.naming.baseURL))
        var drainer = WebhookDrainer(environment: services.environment, tables: services.webhookTables, transport: transport)
        drainer.retry.baseDelay = .milliseconds(configuration.webhookRetryBaseMilliseconds)
        drainer.logger = logger
        drainer.sharedSignals = SSFPush(tables: services.ssfTables, issuer: services.tokenIssuer)
        drainer.onOutcome = { outcome in
            // The metric's words: "failed" is an attempt to be retried, "abandoned" one given up.
            metrics.webhookDelivery(outcome: ["retry": "failed", "failed": "abandoned"][outcome] ?? outcome)
        }
        return WebhookDeliveryService(drainer: drainer, pollInterval: .milliseconds(configuration.webhookPollIntervalMilliseconds))
    }
}
