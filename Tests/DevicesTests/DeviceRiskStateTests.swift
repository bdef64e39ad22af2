import Devices
import Testing

@Suite struct DeviceRiskStateTests {
    @Test func everyTransitionIsDecidedByTheTable() {
        let allowed: [DeviceRiskState: Set<DeviceRiskState>] = [
            .unknown: [.trusted, .suspicious, .compromised, .blocked],
            .trusted: [.suspicious, .compromised, .blocked],
            .suspicious: [.trusted, .compromised, .blocked],
            .compromised: [.blocked],
            .blocked: [.unknown],
        ]
        for from in DeviceRiskState.allCases {
            for to in DeviceRiskState.allCases {
                #expect(from.canMove(to: to) == (allowed[from]!.contains(to)), "\(from) → \(to)")
            }
        }
    }

    @Test func deniedStatesHaveNoTrust() {
        #expect(DeviceRiskState.blocked.isDenied && DeviceRiskState.compromised.isDenied)
        #expect(!DeviceRiskState.unknown.isDenied)
        #expect(DeviceRiskState.compromised.trustLevel == 0 && DeviceRiskState.trusted.trustLevel == 3)
    }
}
