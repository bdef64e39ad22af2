import Foundation
import Hummingbird
import Identity
import Store

/// What the licensing, marketplace and manifest routes share: the answer to each
/// `LicensingError`, and the one write transaction every change runs in.
enum LicensingAPI {
    /// Runs a change, answering its domain errors as problems: ids that are not in the
    /// caller's tenant (another tenant's, or made up) are 404; state conflicts are 409.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LicensingError {
            throw problem(error)
        }
    }

    static func problem(_ error: LicensingError) -> ProblemError {
        func conflict(_ type: String, _ title: String, _ detail: String) -> ProblemError {
            ProblemError.conflict(type: type, title: title, detail: detail)
        }
        switch error {
        case .unknownApplication:
            return .notFound("the application of this client no longer exists")
        case .applicationDisabled:
            return conflict("application-disabled", "The application is disabled", "enable the application before publishing its manifest")
        case .applicationNotExternal:
            return conflict(
                "application-not-external", "The application is not offered to other tenants",
                "set externalConsumption: true on the application to publish a manifest for the marketplace")
        case .productKeyTaken(let key):
            return conflict("product-key-taken", "The product key is taken", "another application already publishes '\(key)'")
        case .versionLabelTaken(let label):
            return conflict(
                "manifest-version-exists", "The version was published with other content",
                "version '\(label.prefix(64))' names an earlier manifest; publish new content under a new version")
        case .unknownProduct(let key):
            return .notFound("no product '\(key.prefix(100))' in the catalog")
        case .unknownInstallation(let id):
            return .notFound("no installation '\(id.prefix(100))' in your tenant")
        case .unknownSubscription(let id):
            return .notFound("no subscription '\(id.prefix(100))' in your tenant")
        case .unknownSeatAssignment(let id):
            return .notFound("no seat assignment '\(id.prefix(100))' in your tenant")
        case .unknownUser(let id):
            return .notFound("no user '\(id.prefix(100))' in your tenant")
        case .alreadyInstalled(let key):
            return conflict("already-installed", "The product is installed", "'\(key)' is already installed in your tenant")
        case .notInstalled(let key):
            return conflict("product-not-installed", "The product is not installed", "install '\(key.prefix(100))' before subscribing to it")
        case .installationInUse(let key):
            return conflict(
                "installation-in-use", "The product is still in use",
                "cancel the active subscription to '\(key)' and release its seats before uninstalling it")
        case .subscriptionExists(let key):
            return conflict("subscription-exists", "An active subscription exists", "your tenant already holds an active subscription to '\(key)'")
        case .subscriptionNotActive(let id):
            return conflict("subscription-not-active", "The subscription is not active", "subscription '\(id.prefix(100))' is cancelled")
        case .seatsInUse(let assigned, let seats):
            return conflict(
                "seats-in-use", "Seats are assigned",
                "\(assigned) seat\(assigned == 1 ? " is" : "s are") assigned; release seats before going down to \(seats)")
        case .noSeatsLeft(let seats):
            return conflict(
                "no-seats-left", "Every seat is assigned",
                "all \(seats) seat\(seats == 1 ? "" : "s") of the subscription are assigned; release one or add seats")
        case .seatAlreadyAssigned(let userId, let key):
            return conflict("seat-already-assigned", "The user holds a seat", "user '\(userId)' already holds a seat of '\(key)'")
        case .limitReached(let what, let limit):
            return conflict("limit-reached", "A limit is reached", "at most \(limit) \(what)")
        }
    }

    /// A tenant-scoped management object as the built-in policies see it (Subscription,
    /// Installation, SeatAssignment): a child of the tenant with its `tenant` attribute.
    static func entity(_ type: String, tenantId: String, id: String) -> PolicyEntity {
        let tenant = ManagementAuthorizer.tenantUID(tenantId)
        return PolicyEntity(uid: .init(type: type, id: id), attributes: ["tenant": .entity(tenant)], parents: [tenant])
    }
}
