/// Why a licensing or marketplace change was refused. Routes answer these as problems:
/// the `unknown…` cases as 404 (another tenant's ids look exactly like made-up ones), the
/// rest as 409 conflicts with the state they ran into.
public enum LicensingError: Error, Sendable, Equatable {
    case unknownApplication
    case applicationDisabled
    case applicationNotExternal
    case productKeyTaken(String)
    case versionLabelTaken(String)
    case unknownProduct(String)
    case unknownInstallation(String)
    case unknownSubscription(String)
    case unknownSeatAssignment(String)
    case unknownUser(String)
    case alreadyInstalled(String)
    case notInstalled(String)
    case installationInUse(String)
    case subscriptionExists(String)
    case subscriptionNotActive(String)
    /// The change would leave fewer seats than are assigned.
    case seatsInUse(assigned: Int, seats: Int64)
    case noSeatsLeft(seats: Int64)
    case seatAlreadyAssigned(userId: String, productKey: String)
    case limitReached(String, Int)
}
